"""A paper workshop typed in: `reference,theme` rows (CSV or XLSX) become piles.

After a workshop held with pinboards, someone types the reference in the corner
of each card and the "I" statement of the pile it ended on. Each theme becomes a
pile in the card's category (in the order first met), each card goes on it; a
theme of "parked" parks the card. Nothing is stored unless every row is right:
unknown or repeated references, empty themes and missing columns are all
reported at once, with their line numbers, so the file can be fixed in one go.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from admin.services.workshop_deck import load_board
from collection.models import Programme
from collection.workshop import store

PARKED = "parked"
MAX_ROWS = 20_000


@dataclass(frozen=True)
class PaperRow:
    line: int
    reference: str
    theme: str


class ImportProblemsError(Exception):
    """Everything wrong with the file, one line each (the file's own line numbers)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_rows(path: Path) -> list[PaperRow]:
    """The rows of a CSV or XLSX file with `reference` and `theme` columns."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = _xlsx_table(path)
    else:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportProblemsError(
                ["The file is not UTF-8 text (save it as CSV UTF-8)."]
            ) from error
        table = [list[object](r) for r in csv.reader(io.StringIO(text, newline=""))]
    if not table:
        raise ImportProblemsError(["The file is empty."])
    header = [str(cell or "").strip().lower() for cell in table[0]]
    if "reference" not in header or "theme" not in header:
        raise ImportProblemsError(
            ["Line 1: the first row must name the columns 'reference' and 'theme'."]
        )
    if len(table) > MAX_ROWS:
        raise ImportProblemsError([f"The file has more than {MAX_ROWS} rows."])
    ref_col, theme_col = header.index("reference"), header.index("theme")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = [str(c if c is not None else "").strip() for c in cells]
        if not any(values):
            continue
        reference = values[ref_col] if ref_col < len(values) else ""
        theme = values[theme_col] if theme_col < len(values) else ""
        rows.append(PaperRow(number, reference, " ".join(theme.split())))
    return rows


def _xlsx_table(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
        raise ImportProblemsError([f"The file could not be read as XLSX ({error})."]) from error
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


async def import_paper(
    *,
    session: AsyncSession,
    programme: Programme,
    rows: list[PaperRow],
    actor: str,
    now: datetime,
) -> dict[str, int]:
    """Make the piles and place the cards; raises ImportProblemsError and stores nothing
    if any row is wrong, or if the workshop already has piles or placed cards."""
    board = await load_board(session=session, programme=programme)
    if any(board.piles.values()) or board.place_of:
        raise ImportProblemsError(
            ["This programme's workshop already has piles or placed cards: "
             "import a paper workshop only into an empty one."]
        )  # fmt: skip
    known = {card.reference: card for card in board.cards}
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row in rows:
        reference = row.reference.upper()
        if not reference:
            problems.append(f"Line {row.line}: no reference.")
        elif reference not in known:
            problems.append(f"Line {row.line}: there is no card {row.reference}.")
        elif reference in seen:
            problems.append(
                f"Line {row.line}: {reference} is repeated (first on line {seen[reference]})."
            )
        else:
            seen[reference] = row.line
        if not row.theme:
            problems.append(f"Line {row.line}: no theme for {row.reference or 'this card'}.")
        elif len(row.theme) > store.NAME_LIMIT:
            problems.append(f"Line {row.line}: the theme is over {store.NAME_LIMIT} characters.")
    if not rows:
        problems.append("The file has no rows after the header.")
    if problems:
        raise ImportProblemsError(problems)
    piles: dict[tuple[str, str], int] = {}
    parked = 0
    for row in rows:
        card = known[row.reference.upper()]
        category = card.statement.category
        statement_id = card.statement.statement_id
        if row.theme.lower() == PARKED:
            await store.place(
                session=session,
                programme_id=programme.id,
                statement_id=statement_id,
                pile_id=None,
                parked=True,
                actor=actor,
                now=now,
            )
            parked += 1
            continue
        key = (category, row.theme.casefold())
        if key not in piles:
            made = await store.create_pile(
                session=session,
                programme_id=programme.id,
                category=category,
                name=row.theme,
                actor=actor,
                now=now,
                statement_id=statement_id,
            )
            piles[key] = made.id
            continue
        await store.place(
            session=session,
            programme_id=programme.id,
            statement_id=statement_id,
            pile_id=piles[key],
            parked=False,
            actor=actor,
            now=now,
        )
    return {"cards": len(rows), "piles": len(piles), "parked": parked}
