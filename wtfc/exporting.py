"""`wtfc export`: one programme's statements to a workshop file."""

from __future__ import annotations

import sys
from pathlib import Path

from admin.exports.csv_export import write_csv
from admin.exports.source import load_deck
from collection.programmes import get_by_code
from collection.runtime import Services

FORMATS = ("csv", "xlsx", "cards", "strips")


async def export_command(
    services: Services, code: str, fmt: str, output: str, include_all: bool
) -> int:
    async with services.sessions() as session:
        programme = await get_by_code(session=session, code=code)
        if programme is None:
            print(f"wtfc: no programme has the code {code}", file=sys.stderr)
            return 2
        deck = await load_deck(session=session, programme=programme, include_all=include_all)
    path = Path(output)
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            write_csv(deck, out)
    else:
        print(f"wtfc: the {fmt} export is not available yet", file=sys.stderr)
        return 2
    print(f"Wrote {len(deck.statements)} statements to {path}")
    return 0
