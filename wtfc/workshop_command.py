"""`wtfc workshop import CODE FILE`: a paper workshop's `reference,theme` rows into piles.

Exit 0 with a one-line summary; 2 with every problem (line numbers from the file)
on standard error and nothing stored. The import is audited like a change on screen.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from admin.services import audit
from admin.services.workshop_import import ImportProblemsError, import_paper, read_rows
from collection.programmes import get_by_code
from collection.runtime import Services


def add_parser(commands: Any) -> None:
    """Add `workshop import` to the `wtfc` subcommands."""
    workshop = commands.add_parser("workshop", help="the Theme workshop")
    actions = workshop.add_subparsers(dest="action", required=True)
    paper = actions.add_parser(
        "import", help="a paper workshop: a CSV or XLSX of reference,theme (one row per card)"
    )
    paper.add_argument("code", help="the programme's code, e.g. PARK")
    paper.add_argument("file", type=Path, help="CSV (UTF-8) or XLSX with reference and theme")


async def workshop(services: Services, args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        if not path.is_file():
            raise ImportProblemsError([f"There is no file {path}."])
        rows = read_rows(path)
        async with services.sessions() as session, session.begin():
            programme = await get_by_code(session=session, code=args.code)
            if programme is None:
                raise ImportProblemsError([f"There is no programme with the code {args.code}."])
            now = datetime.now(UTC)
            counts = await import_paper(
                session=session, programme=programme, rows=rows, actor="cli", now=now
            )
            audit.record(
                session=session,
                actor="cli",
                action="workshop.import",
                target=programme.code,
                detail={"file": path.name, **counts},
                at=now,
            )
    except ImportProblemsError as error:
        for problem in error.problems:
            print(f"wtfc: {path.name}: {problem}", file=sys.stderr)
        return 2
    print(
        f"Imported {counts['cards']} cards into {counts['piles']} piles"
        f" ({counts['parked']} parked) for {programme.code}."
    )
    return 0
