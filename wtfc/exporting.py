"""`wtfc export`: one programme's statements to a workshop file, with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path

from admin.exports.formats import FORMATS, write_export
from admin.exports.source import load_deck
from admin.exports.workshop import with_analysis
from collection.models import AuditEntry
from collection.programmes import get_by_code
from collection.runtime import Services

__all__ = ["FORMATS", "export_command"]


def _bar(done: int, total: int) -> None:
    """A progress bar on standard error for long exports (10,000 cards take a while)."""
    if not sys.stderr.isatty() or total == 0:
        return
    width = 30
    filled = int(width * done / total)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


async def export_command(
    services: Services, code: str, fmt: str, output: str, include_all: bool, layout: str = "2x4"
) -> int:
    async with services.sessions() as session:
        programme = await get_by_code(session=session, code=code)
        if programme is None:
            print(f"wtfc: no programme has the code {code}", file=sys.stderr)
            return 2
        deck = await load_deck(session=session, programme=programme, include_all=include_all)
        deck = await with_analysis(session=session, programme=programme, deck=deck, fmt=fmt)
    path = Path(output)
    write_export(deck, fmt, path, progress=_bar, layout=layout)
    async with services.sessions() as session, session.begin():
        session.add(
            AuditEntry(
                actor="cli",
                action="export",
                target=programme.code,
                detail={"format": fmt, "all": include_all, "statements": len(deck.statements)},
            )
        )
    print(f"Wrote {len(deck.statements)} statements to {path}")
    return 0
