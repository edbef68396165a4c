"""How each category is named and coloured in every export.

The method fixes green for working and red for not working, and leaves the
future's colour to the locality (it is stored on the programme as
`Deck.future_colour`). One place for these keeps the cover page, the cards,
the strips and the spreadsheet telling the room the same thing.
"""

from __future__ import annotations

import re

from admin.exports.deck import Deck
from admin.web.i18n import N_
from bot.model import Category

RGB = tuple[int, int, int]

WORKING_COLOUR = "#2e7d32"
NOT_WORKING_COLOUR = "#c62828"

LABELS: dict[Category, str] = {
    "working": N_("Working well"),
    "not_working": N_("Not working well"),
    "future": N_("Important for the future"),
}
"""The question each category answers, as the workshop says it."""

SHEET_TITLES: dict[Category, str] = {
    "working": "Working well",
    "not_working": "Not working well",
    "future": "Future",
}
"""Spreadsheet tab names (short: Excel allows 31 characters)."""

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def parse_hex(colour: str) -> RGB:
    """'#1f6fb2' (or '1f6fb2', '#16b') as an (r, g, b) tuple of 0-255."""
    match = _HEX.fullmatch(colour.strip())
    if match is None:
        raise ValueError(f"not a hex colour like '#1f6fb2': {colour!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def category_colour(deck: Deck, category: Category) -> RGB:
    """The card colour for a category in this deck."""
    if category == "working":
        return parse_hex(WORKING_COLOUR)
    if category == "not_working":
        return parse_hex(NOT_WORKING_COLOUR)
    return parse_hex(deck.future_colour)


def ink_on(fill: RGB) -> RGB:
    """Black or white, whichever reads better on `fill` (WCAG contrast ratio).

    The future colour is chosen by each locality; a pale yellow needs black text
    where the method's green and red need white.
    """
    white_contrast = 1.05 / (_luminance(fill) + 0.05)
    black_contrast = (_luminance(fill) + 0.05) / 0.05
    return (255, 255, 255) if white_contrast >= black_contrast else (0, 0, 0)


def _luminance(colour: RGB) -> float:
    """WCAG 2 relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
