"""Printable cards for the card call: one statement per card, in its category's colour.

The workshop reads every card aloud and clusters them on the wall, so the text
has to be readable from across a room: each statement gets the largest size at
which it fits its card, and only long statements are set small. A thousand-
character statement is printed small rather than cut, because it is someone's
whole answer.

The layout is computed first (`layout_cards`) and then drawn, so tests can
check every line against its card without reading the PDF back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Literal

from fpdf import FPDF

from admin.exports.booklet import start_booklet
from admin.exports.categories import category_colour, ink_on
from admin.exports.deck import Card, Deck
from admin.exports.document import A4_HEIGHT, A4_WIDTH, MARGIN, PdfTarget, new_document, save
from admin.exports.draw import draw_cut_lines, draw_lines, fill_box
from admin.exports.geometry import PT, Box, Line
from admin.exports.ordering import order_for_card_call
from admin.exports.textblock import Paragraph, Setter, place
from admin.exports.typeset import Typesetter, clean

CardLayoutName = Literal["2x4", "1x2"]
Progress = Callable[[int, int], None]

TRANSLATION_SCALE = 0.6
"""A translation prints at 60% of the statement's size: it helps, it does not compete."""


@dataclass(frozen=True)
class Grid:
    """How cards sit on an A4 page and how big their text may get."""

    columns: int
    rows: int
    gutter: float
    """White space around each coloured block, inside the cut lines (mm)."""
    padding: float
    """Space between the block's edge and its text (mm)."""
    label_size: float
    """Reference and perspective mark (pt)."""
    largest: float
    """The biggest statement size (pt): a one-word card should not shout."""
    floor: float
    """Below this size words may be broken rather than shrinking further (pt)."""

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


GRIDS: dict[CardLayoutName, Grid] = {
    "2x4": Grid(columns=2, rows=4, gutter=3, padding=4, label_size=9, largest=36, floor=7),
    "1x2": Grid(columns=1, rows=2, gutter=4, padding=8, label_size=14, largest=72, floor=10),
}

AREA = Box(MARGIN, MARGIN, A4_WIDTH - 2 * MARGIN, A4_HEIGHT - 2 * MARGIN)
"""The part of the page the grid covers."""


@dataclass(frozen=True)
class CardLayout:
    card: Card
    page: int
    """Page number in the PDF (the cover is page 1)."""
    cell: Box
    """The card as cut out: between the dashed lines."""
    block: Box
    """The coloured block."""
    text_box: Box
    """Where the statement and translation may go."""
    size: float
    """The statement's font size in points."""
    lines: tuple[Line, ...]
    """The statement's lines, then the translation's."""
    labels: tuple[Line, ...]
    """The reference (top left) and the perspective mark (top right), if shown."""


def layout_cards(
    deck: Deck,
    layout: CardLayoutName = "2x4",
    show_perspective: bool = True,
    setter: Setter | None = None,
) -> Iterator[CardLayout]:
    """Where every card goes and how its text is set, in card-call order.

    A generator, so a 10,000-card deck is laid out a page at a time as it is
    drawn. Without a `setter` it measures with a document of its own.
    """
    grid = _grid(layout)
    if setter is None:
        setter = Setter(Typesetter(new_document(deck.programme_name, deck.exported_at)))
    cell_w = AREA.w / grid.columns
    cell_h = AREA.h / grid.rows
    label_h = grid.label_size * PT * 1.25
    for index, card in enumerate(order_for_card_call(deck)):
        slot = index % grid.per_page
        row, column = divmod(slot, grid.columns)
        cell = Box(AREA.x + column * cell_w, AREA.y + row * cell_h, cell_w, cell_h)
        block = cell.inset(grid.gutter)
        inner = block.inset(grid.padding)
        text_box = Box(inner.x, inner.y + label_h * 1.5, inner.w, inner.h - label_h * 1.5)
        s = card.statement
        paragraphs = [Paragraph(clean(s.card_text))]
        if s.translation:
            paragraphs.append(Paragraph(clean(s.translation), scale=TRANSLATION_SCALE))
        text = setter.fit_box(paragraphs, text_box.w, text_box.h, grid.largest, grid.floor)
        labels = _labels(setter, card, inner, grid.label_size, label_h, show_perspective)
        yield CardLayout(
            card=card,
            page=2 + index // grid.per_page,
            cell=cell,
            block=block,
            text_box=text_box,
            size=text.size,
            lines=place(text, text_box, "centre", "middle"),
            labels=labels,
        )


def write_cards(
    deck: Deck,
    out: PdfTarget,
    layout: CardLayoutName = "2x4",
    show_perspective: bool = True,
    progress: Progress | None = None,
) -> None:
    """Write the cover and the cards as an A4 PDF to a path or binary stream.

    `progress(done, total)` is called after each page of cards.
    """
    grid = _grid(layout)
    pdf, setter = start_booklet(deck, "Cards")
    layouts = layout_cards(deck, layout, show_perspective, setter)
    total = len(deck.statements)
    done = 0
    while page := list(islice(layouts, grid.per_page)):
        pdf.add_page()
        _draw_grid(pdf, grid)
        for card in page:
            fill = category_colour(deck, card.card.statement.category)
            fill_box(pdf, card.block, fill)
            ink = ink_on(fill)
            draw_lines(pdf, card.labels, ink)
            draw_lines(pdf, card.lines, ink)
        done += len(page)
        if progress is not None:
            progress(done, total)
    save(pdf, out)


def _grid(layout: str) -> Grid:
    if layout not in GRIDS:
        raise ValueError(f"unknown card layout {layout!r}: choose from {', '.join(GRIDS)}")
    return GRIDS[layout]


def _labels(
    setter: Setter, card: Card, inner: Box, size: float, height: float, show_perspective: bool
) -> tuple[Line, ...]:
    """The reference in the top-left corner and the perspective in the top right."""
    half = inner.w / 2
    reference = setter.set_at([Paragraph(card.reference, bold=True)], size, half)
    lines = place(reference, Box(inner.x, inner.y, half, height), "start", "top")
    perspective = card.statement.perspective
    if show_perspective and perspective:
        mark = setter.set_at([Paragraph(clean(perspective.replace("_", " ")))], size, half)
        lines += place(mark, Box(inner.x + half, inner.y, half, height), "end", "top")
    return lines


def _draw_grid(pdf: FPDF, grid: Grid) -> None:
    """Cut lines along every column and row boundary, edges included."""
    xs = [AREA.x + c * AREA.w / grid.columns for c in range(grid.columns + 1)]
    ys = [AREA.y + r * AREA.h / grid.rows for r in range(grid.rows + 1)]
    draw_cut_lines(pdf, xs, ys, AREA)
