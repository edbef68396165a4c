"""Strips for a large card call: one statement per strip of paper across the page.

With hundreds of statements, cards use too much paper and wall; the method
suggests strips in the largest font that fits, readable from across the room.
Each strip keeps its statement to one or two lines at the largest size that
allows it (down to a floor that is still readable at a distance); a statement
too long for two lines at the floor gets more lines rather than smaller type,
and is never cut. Strips are as tall as their text, so a page holds as many as
fit. A colour band at the left end carries the category colour and reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import groupby

from fpdf import FPDF

from admin.exports.booklet import start_booklet
from admin.exports.categories import category_colour, ink_on
from admin.exports.deck import Card, Deck
from admin.exports.document import A4_HEIGHT, A4_WIDTH, MARGIN, PdfTarget, new_document, save
from admin.exports.draw import draw_cut_lines, draw_lines, fill_box
from admin.exports.geometry import Box, Line
from admin.exports.ordering import order_for_card_call
from admin.exports.textblock import Paragraph, Setter, place
from admin.exports.typeset import Typesetter, clean

Progress = Callable[[int, int], None]

AREA = Box(MARGIN, MARGIN, A4_WIDTH - 2 * MARGIN, A4_HEIGHT - 2 * MARGIN)
BAND_WIDTH = 18.0
"""The coloured end of the strip, wide enough for a reference like W-107."""
PADDING = 3.0
TEXT_GAP = 4.0
"""Between the band and the statement, and at the far end."""
LABEL_SIZE = 10.0
LARGEST = 40.0
FLOOR = 18.0
"""Smallest size for a statement that would otherwise need three lines: about
a 6 mm capital, still legible across a workshop room."""
MAX_LINES = 2
TRANSLATION_SCALE = 0.6
MIN_HEIGHT = 12.0
"""Short strips are hard to handle once cut."""


@dataclass(frozen=True)
class StripLayout:
    card: Card
    page: int
    """Page number in the PDF (the cover is page 1)."""
    strip: Box
    """The strip as cut out."""
    band: Box
    """The coloured band at the left end."""
    text_box: Box
    size: float
    lines: tuple[Line, ...]
    labels: tuple[Line, ...]
    """The reference, in the band."""


def layout_strips(deck: Deck, setter: Setter | None = None) -> Iterator[StripLayout]:
    """Where every strip goes and how its text is set, in card-call order."""
    if setter is None:
        setter = Setter(Typesetter(new_document(deck.programme_name, deck.exported_at)))
    text_x = AREA.x + BAND_WIDTH + TEXT_GAP
    text_w = AREA.right - TEXT_GAP - text_x
    page = 2
    y = AREA.y
    for card in order_for_card_call(deck):
        s = card.statement
        paragraphs = [Paragraph(clean(s.card_text))]
        if s.translation:
            paragraphs.append(Paragraph(clean(s.translation), scale=TRANSLATION_SCALE))
        text = setter.fit_lines(paragraphs, text_w, LARGEST, FLOOR, MAX_LINES, AREA.h - 2 * PADDING)
        height = max(MIN_HEIGHT, text.height + 2 * PADDING)
        if y + height > AREA.bottom + 1e-6:
            page += 1
            y = AREA.y
        strip = Box(AREA.x, y, AREA.w, height)
        band = Box(strip.x, strip.y, BAND_WIDTH, strip.h)
        text_box = Box(text_x, y + PADDING, text_w, height - 2 * PADDING)
        reference = setter.set_at([Paragraph(card.reference, bold=True)], LABEL_SIZE, BAND_WIDTH)
        yield StripLayout(
            card=card,
            page=page,
            strip=strip,
            band=band,
            text_box=text_box,
            size=text.size,
            lines=place(text, text_box, "start", "middle"),
            labels=place(reference, band.inset(0, PADDING), "centre", "top"),
        )
        y += height


def write_strips(deck: Deck, out: PdfTarget, progress: Progress | None = None) -> None:
    """Write the cover and the strips as an A4 PDF to a path or binary stream.

    `progress(done, total)` is called after each page of strips.
    """
    pdf, setter = start_booklet(deck, "Strips")
    total = len(deck.statements)
    done = 0
    for _, group in groupby(layout_strips(deck, setter), key=lambda s: s.page):
        strips = list(group)
        pdf.add_page()
        for s in strips:
            fill = category_colour(deck, s.card.statement.category)
            fill_box(pdf, s.band, fill)
            draw_lines(pdf, s.labels, ink_on(fill))
            draw_lines(pdf, s.lines, (0, 0, 0))
        _draw_cuts(pdf, strips)
        done += len(strips)
        if progress is not None:
            progress(done, total)
    save(pdf, out)


def _draw_cuts(pdf: FPDF, strips: list[StripLayout]) -> None:
    """A dashed line above each strip, below the last, and down both ends."""
    top = strips[0].strip.y
    bottom = strips[-1].strip.bottom
    ys = [s.strip.y for s in strips] + [bottom]
    draw_cut_lines(pdf, [AREA.x, AREA.right], ys, Box(AREA.x, top, AREA.w, bottom - top))
