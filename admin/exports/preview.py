"""An HTML picture of the first page of cards, so a lead can check before printing 30 pages.

It is drawn from the same card-call order (`order_for_card_call`) as the PDF,
so the references and the order on screen are the ones that will come out of
the printer. The page's CSS cannot carry a programme's own future colour in an
inline style (the Content-Security-Policy forbids inline styles), so a tiny
stylesheet per programme (`future_css`) colours those cards.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from admin.exports.cards import GRIDS
from admin.exports.categories import NOT_WORKING_COLOUR, WORKING_COLOUR, ink_on, parse_hex
from admin.exports.deck import Deck
from admin.exports.ordering import order_for_card_call
from admin.exports.typeset import clean
from admin.services.languages import html_lang
from bot.model import CATEGORIES

PER_PAGE = GRIDS["2x4"].per_page
"""The preview shows the first page of the default layout: 8 cards."""


@dataclass(frozen=True)
class PreviewCard:
    reference: str
    category: str
    text: str
    translation: str | None
    lang: str
    """The `lang` attribute for the statement (the translation is in the room's language)."""
    perspective: str | None
    size: str
    """A type size class: the PDF sets each card as large as it fits, this approximates it."""


@dataclass(frozen=True)
class Preview:
    cards: list[PreviewCard]
    total: int
    by_category: dict[str, int]
    pages: dict[str, int]
    """Pages of each card layout, the cover included."""
    masked: int = 0
    """Statements whose personal data is masked, as the cover will say."""


def preview(deck: Deck) -> Preview:
    """The first page of cards and the counts the export page shows beside it."""
    ordered = order_for_card_call(deck)
    cards = [
        PreviewCard(
            reference=card.reference,
            category=card.statement.category,
            text=clean(card.statement.card_text),
            translation=clean(card.statement.translation) if card.statement.translation else None,
            lang=html_lang(card.statement.language),
            perspective=(card.statement.perspective or "").replace("_", " ") or None,
            size=text_size(card.statement.card_text),
        )
        for card in ordered[:PER_PAGE]
    ]
    counts = Counter(s.category for s in deck.statements)
    return Preview(
        cards=cards,
        total=len(ordered),
        by_category={c: counts.get(c, 0) for c in CATEGORIES},
        pages={name: 1 + math.ceil(len(ordered) / grid.per_page) for name, grid in GRIDS.items()},
        masked=deck.masked,
    )


def text_size(text: str) -> str:
    """Short statements big, long ones small, as the PDF's fitting does."""
    length = len(clean(text))
    if length <= 40:
        return "large"
    if length <= 120:
        return "medium"
    if length <= 300:
        return "small"
    return "tiny"


def colour_css(future_colour: str) -> str:
    """The card colours, with this programme's future colour and readable ink on each.

    The colour is parsed to numbers and written back, so nothing a form accepted
    can become arbitrary CSS.
    """
    rules = []
    for category, colour in (
        ("working", WORKING_COLOUR),
        ("not_working", NOT_WORKING_COLOUR),
        ("future", future_colour),
    ):
        try:
            fill = parse_hex(colour)
        except ValueError:
            fill = (0x1F, 0x6F, 0xB2)
        ink = ink_on(fill)
        rules.append(
            f".preview-card.card-{category}, .key-{category} "
            f"{{ background: {_hex(fill)}; color: {_hex(ink)}; }}"
        )
    return "\n".join(rules) + "\n"


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
