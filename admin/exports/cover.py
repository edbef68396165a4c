"""The first page of the cards and strips PDFs: what this pile of paper is.

Printed packs get separated from the email they came with. The cover says which
programme and why, how many cards of each colour there should be (so a missing
one is noticed before the workshop), what the colours mean, and how to use them.
"""

from __future__ import annotations

from datetime import date

from fpdf import FPDF

from admin.exports.categories import LABELS, RGB, category_colour, ink_on
from admin.exports.deck import Deck
from admin.exports.document import A4_WIDTH, MARGIN
from admin.exports.draw import draw_lines, fill_box
from admin.exports.geometry import Box
from admin.exports.ordering import reference_width
from admin.exports.summary import NOT_RECORDED, masked_words, summarise
from admin.exports.textblock import Paragraph, Setter, place
from admin.exports.typeset import clean
from bot.model import CATEGORY_LETTER

GREY: RGB = (90, 90, 90)
BLACK: RGB = (0, 0, 0)
LEFT = MARGIN + 10
WIDTH = A4_WIDTH - 2 * LEFT
SWATCH_W = 16.0
SWATCH_H = 10.0


def draw_cover(pdf: FPDF, setter: Setter, deck: Deck, kind: str) -> None:
    """Add the cover page. `kind` names the format: "Cards" or "Strips"."""
    summary = summarise(deck)
    pdf.add_page()
    y = MARGIN + 10

    def text(
        words: str,
        size: float,
        bold: bool = False,
        colour: RGB = BLACK,
        x: float = LEFT,
        width: float = WIDTH,
        after: float = 3.0,
    ) -> float:
        nonlocal y
        block = setter.set_at([Paragraph(clean(words), bold)], size, width)
        lines = place(block, Box(x, y, width, block.height), "start", "top")
        draw_lines(pdf, lines, colour)
        top = y
        y += block.height + after
        return top

    text("Working Together for Change", 11, colour=GREY, after=1)
    text(summary.programme_name, 26, bold=True, after=4)
    if summary.purpose:
        text(summary.purpose, 13, after=8)
    text(
        f"{kind} for the card call: {summary.selection.lower()}, {summary.total} in all",
        14,
        bold=True,
        after=6,
    )

    for category, count in summary.by_category:
        colour = category_colour(deck, category)
        letter = CATEGORY_LETTER[category]
        if count:
            width = reference_width(count)
            refs = f"{letter}-{1:0{width}d} to {letter}-{count:0{width}d}"
            words = f"{LABELS[category]}: {count} ({refs})"
        else:
            words = f"{LABELS[category]}: none"
        top = text(words, 14, x=LEFT + SWATCH_W + 5, width=WIDTH - SWATCH_W - 5, after=5)
        swatch = Box(LEFT, top, SWATCH_W, SWATCH_H)
        fill_box(pdf, swatch, colour)
        key = setter.set_at([Paragraph(letter, bold=True)], 14, SWATCH_W)
        draw_lines(pdf, place(key, swatch, "centre", "middle"), ink_on(colour))
        y = max(y, swatch.bottom + 4)

    y += 4
    if summary.held_back:
        text(
            f"Held back for safeguarding review: {summary.held_back} "
            f"{'statement' if summary.held_back == 1 else 'statements'} not in this pack "
            "until a reviewer decides (see Needs attention in the admin).",
            12,
            bold=True,
            after=5,
        )
    people = f"{summary.people} {'person' if summary.people == 1 else 'people'}"
    text(f"Who answered ({people}): " + _counts(summary.by_perspective), 11)
    if any(name != NOT_RECORDED for name, _ in summary.by_segment):
        text("Segments (people): " + _counts(summary.by_segment), 11)
    if summary.first_collected and summary.last_collected:
        text(f"Collected {_day(summary.first_collected)} to {_day(summary.last_collected)}", 11)
    text(f"Exported {_day(summary.exported_on)}", 11)
    text(masked_words(summary.masked), 11, after=8)
    text(
        "Read them aloud in this order: working well, then not working well, then important "
        "for the future. Cut along the dashed lines. The reference in the corner (such as "
        f"{CATEGORY_LETTER['working']}-07) finds the statement in the spreadsheet; nothing "
        "on a card names the person who said it.",
        11,
        colour=GREY,
    )


def _counts(pairs: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{name} {count}" for name, count in pairs) or "nobody yet"


def _day(d: date) -> str:
    """3 March 2026: the UK way, unambiguous on paper."""
    return f"{d.day} {d:%B %Y}"
