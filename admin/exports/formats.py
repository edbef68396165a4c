"""One entry point for every export format, shared by the CLI, the admin and the API."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from admin.exports.cards import write_cards
from admin.exports.csv_export import write_csv
from admin.exports.deck import Deck
from admin.exports.strips import write_strips
from admin.exports.xlsx_export import write_xlsx

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
}


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
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    if progress is not None and fmt in ("csv", "xlsx"):
        progress(len(deck.statements), len(deck.statements))


def filename(code: str, fmt: str, include_all: bool) -> str:
    scope = "all" if include_all else "picks"
    return f"{code.lower()}-{fmt}-{scope}.{FORMATS[fmt].extension}"
