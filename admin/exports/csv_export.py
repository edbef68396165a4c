"""The spreadsheet-neutral export: a CSV with the same columns as the XLSX.

The caller opens the file with encoding="utf-8-sig" and newline="" so that Excel
detects UTF-8 (Welsh, Polish and Urdu survive) and the csv module controls line
endings. Statements may contain commas, quotes and newlines; the csv module
quotes them.
"""

from __future__ import annotations

import csv
from datetime import date
from typing import TextIO

from admin.exports.deck import Deck
from admin.exports.ordering import order_for_card_call
from admin.exports.rows import COLUMNS, Cell, row


def write_csv(deck: Deck, out: TextIO) -> None:
    """Write a header and one row per card, in card-call order, to `out`."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for card in order_for_card_call(deck):
        writer.writerow(_csv_value(cell) for cell in row(card))


def _csv_value(cell: Cell) -> str | int:
    """Dates as ISO 8601 (sorts as text and reads the same in every locale); None as empty."""
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    return cell
