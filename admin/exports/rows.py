"""The table shape shared by the CSV and the XLSX: one row per card.

Nothing here identifies a person: the response key and statement id stay out,
the reference is the only way back to the original.
"""

from __future__ import annotations

from datetime import date

from admin.exports.cells import safe_cell
from admin.exports.deck import Card

COLUMNS: tuple[str, ...] = (
    "reference",
    "category",
    "card_text",
    "original_text",
    "pick_rank",
    "perspective",
    "segment",
    "channel",
    "language",
    "translation",
    "collected",
)

Cell = str | int | date | None


def row(card: Card) -> tuple[Cell, ...]:
    """The cells for `card`, in `COLUMNS` order, text made safe for spreadsheets.

    `original_text` is empty unless a reviewer edited the card text; `collected`
    is the date only (the time of day could help identify someone).
    """
    s = card.statement
    return (
        safe_cell(card.reference),
        s.category,
        safe_cell(s.card_text),
        _text(s.original_text),
        s.pick_rank,
        _text(s.perspective),
        _text(s.segment),
        safe_cell(s.channel),
        safe_cell(s.language),
        _text(s.translation),
        s.collected_at.date(),
    )


def _text(value: str | None) -> str | None:
    return None if value is None else safe_cell(value)
