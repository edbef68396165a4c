"""One entry point for every export format, shared by the CLI, the admin and the API."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from admin.exports.cards import write_cards
from admin.exports.csv_export import write_csv
from admin.exports.deck import Deck
from admin.exports.report_pdf import write_report
from admin.exports.strips import write_strips
from admin.exports.themes_xlsx import write_themes
from admin.exports.xlsx_export import write_xlsx
from admin.services.workshop_report import WorkshopReport

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    media_type: str
    label: str


FORMATS: dict[str, ExportFormat] = {
    "cards": ExportFormat("cards", "pdf", "application/pdf", "Cards (PDF, A4)"),
    "strips": ExportFormat("strips", "pdf", "application/pdf", "Strips (PDF, A4)"),
    "xlsx": ExportFormat(
        "xlsx",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Spreadsheet (XLSX)",
    ),
    "csv": ExportFormat("csv", "csv", "text/csv; charset=utf-8", "Spreadsheet (CSV)"),
    "themes": ExportFormat(
        "themes",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Workshop themes (XLSX)",
    ),
    "report": ExportFormat("report", "pdf", "application/pdf", "Workshop report (PDF)"),
}
WORKSHOP_FORMATS = frozenset({"themes", "report"})
"""Made from the workshop's piles and votes (the deck's `analysis`), not from the cards alone."""


def write_export(
    deck: Deck,
    fmt: str,
    target: Path | io.BytesIO,
    *,
    progress: Progress | None = None,
    layout: str = "2x4",
) -> None:
    """Write `deck` in format `fmt` to a file path or a binary buffer."""
    if fmt == "csv":
        text = io.StringIO(newline="")
        write_csv(deck, text)
        data = text.getvalue().encode("utf-8-sig")  # a BOM so Excel reads UTF-8
        if isinstance(target, Path):
            target.write_bytes(data)
        else:
            target.write(data)
    elif fmt == "xlsx":
        write_xlsx(deck, target)
    elif fmt == "cards":
        write_cards(deck, target, layout=layout, progress=progress)  # type: ignore[arg-type]
    elif fmt == "strips":
        write_strips(deck, target, progress=progress)
    elif fmt == "themes":
        write_themes(_analysis(deck), target)
    elif fmt == "report":
        write_report(_analysis(deck), target, future_colour=deck.future_colour)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    if progress is not None and fmt in ("csv", "xlsx", *WORKSHOP_FORMATS):
        progress(len(deck.statements), len(deck.statements))


def _analysis(deck: Deck) -> WorkshopReport:
    if not isinstance(deck.analysis, WorkshopReport):
        raise ValueError("the workshop formats need the deck's analysis (workshop_export)")
    return deck.analysis


def filename(code: str, fmt: str, include_all: bool) -> str:
    if fmt in WORKSHOP_FORMATS:
        return f"{code.lower()}-workshop-{fmt}.{FORMATS[fmt].extension}"
    scope = "all" if include_all else "picks"
    return f"{code.lower()}-{fmt}-{scope}.{FORMATS[fmt].extension}"
