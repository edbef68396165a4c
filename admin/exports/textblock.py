"""Setting a statement (and its translation) in the largest size a space allows.

Cards ask "what is the largest size at which this text fits this box?"; strips
ask "what is the largest size that keeps it on two lines?". Both come down to
trying sizes with `fit.largest_size` over widths measured once, then checking
the chosen size against exact measurements for shaped text (HarfBuzz widths of
a line can differ by a hair from the sum of its words).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from admin.exports.fit import SIZE_STEP, Token, WrappedLine, count_lines, largest_size, wrap
from admin.exports.geometry import EPSILON, PT, Box, Line
from admin.exports.typeset import Typesetter

PLAIN_LINE_HEIGHT = 1.25
"""Line height over font size for Latin text: room for Ŵ above and g below."""
SHAPED_LINE_HEIGHT = 1.85
"""Arabic and Indic scripts reach further above and below (Noto Naskh: +1.07/-0.63 em)."""
PARAGRAPH_GAP = 0.5
"""Space between the statement and its translation, in main-size ems."""
SMALLEST = 1.0
"""No text is cut: below every floor, sizes shrink to this rather than overflow."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    """Cleaned text (see typeset.clean)."""
    bold: bool = False
    scale: float = 1.0
    """Size relative to the block's main size (a translation is smaller)."""


@dataclass(frozen=True)
class SetParagraph:
    lines: tuple[WrappedLine, ...]
    """Widths here are in mm at the paragraph's size (not at 1 pt)."""
    size: float
    bold: bool
    shaped: bool
    line_height: float
    """In mm."""

    @property
    def height(self) -> float:
        return len(self.lines) * self.line_height


@dataclass(frozen=True)
class TextBlock:
    size: float
    """The main size in points (of the first paragraph)."""
    paragraphs: tuple[SetParagraph, ...]
    gap: float

    @property
    def height(self) -> float:
        return sum(p.height for p in self.paragraphs) + self.gap * (len(self.paragraphs) - 1)


@dataclass(frozen=True)
class _Prepared:
    paragraph: Paragraph
    shaped: bool
    tokens: tuple[Token, ...]
    space: float
    line_factor: float


class Setter:
    """Fits paragraphs for one document; remembers fits, since decks repeat themselves."""

    def __init__(self, typesetter: Typesetter) -> None:
        self.ts = typesetter
        self._fits: dict[tuple[object, ...], TextBlock] = {}

    def fit_box(
        self,
        paragraphs: Sequence[Paragraph],
        width: float,
        height: float,
        largest: float,
        floor: float,
    ) -> TextBlock:
        """The paragraphs at the largest size (up to `largest`) that fits width x height.

        Words are kept whole at any size down to `floor`; below it, words wider
        than a line are broken rather than shrinking the whole card to nothing.
        """
        key = ("box", tuple(paragraphs), width, height, largest, floor)
        block = self._fits.get(key)
        if block is None:
            prepared = [self._prepare(p) for p in paragraphs]

            def fits(allow_break: bool) -> Callable[[float], bool]:
                def check(size: float) -> bool:
                    counted = self._count(prepared, size, width, allow_break)
                    return counted is not None and counted[1] <= height + EPSILON

                return check

            block = self._choose(
                prepared, width, [(fits(False), floor, largest), (fits(True), SMALLEST, largest)]
            )
            self._fits[key] = block
        return block

    def fit_lines(
        self,
        paragraphs: Sequence[Paragraph],
        width: float,
        largest: float,
        floor: float,
        max_lines: int,
        max_height: float,
    ) -> TextBlock:
        """The largest size (from `floor` to `largest`) that keeps the first paragraph
        within `max_lines` lines; at `floor` with as many lines as it needs when even
        that is too many; smaller only if the block would not fit `max_height`."""
        key = ("lines", tuple(paragraphs), width, largest, floor, max_lines, max_height)
        block = self._fits.get(key)
        if block is None:
            prepared = [self._prepare(p) for p in paragraphs]

            def few_lines(size: float) -> bool:
                counted = self._count(prepared, size, width, allow_break=False)
                return (
                    counted is not None
                    and counted[0][0] <= max_lines
                    and counted[1] <= max_height + EPSILON
                )

            def within_page(size: float) -> bool:
                counted = self._count(prepared, size, width, allow_break=True)
                return counted is not None and counted[1] <= max_height + EPSILON

            block = self._choose(
                prepared, width, [(few_lines, floor, largest), (within_page, SMALLEST, floor)]
            )
            self._fits[key] = block
        return block

    def set_at(self, paragraphs: Sequence[Paragraph], size: float, width: float) -> TextBlock:
        """The paragraphs at a given size, wrapped to `width` (cover pages, headings)."""
        return self._set([self._prepare(p) for p in paragraphs], size, width)

    def _choose(
        self,
        prepared: list[_Prepared],
        width: float,
        attempts: list[tuple[Callable[[float], bool], float, float]],
    ) -> TextBlock:
        """Try each (test, low, high) in turn; set the text at the first size found.

        Shaped lines are then measured exactly; if one is a hair too wide the
        search continues below that size.
        """
        for fits, low, high in attempts:
            while True:
                size = largest_size(fits, low, high)
                if size is None:
                    break
                block = self._set(prepared, size, width)
                if all(line.width <= width + EPSILON for p in block.paragraphs for line in p.lines):
                    return block
                high = size - SIZE_STEP
        return self._set(prepared, SMALLEST, width)

    def _prepare(self, paragraph: Paragraph) -> _Prepared:
        shaped = self.ts.is_shaped(paragraph.text)
        return _Prepared(
            paragraph=paragraph,
            shaped=shaped,
            tokens=self.ts.tokens(paragraph.text, paragraph.bold, shaped),
            space=self.ts.space(paragraph.bold),
            line_factor=SHAPED_LINE_HEIGHT if shaped else PLAIN_LINE_HEIGHT,
        )

    def _tokens(self, p: _Prepared, limit: float, allow_break: bool) -> Sequence[Token]:
        """The paragraph's tokens, with words wider than `limit` broken if allowed."""
        if not allow_break or all(t.width <= limit + EPSILON for t in p.tokens):
            return p.tokens
        tokens: list[Token] = []
        for t in p.tokens:
            if t.width <= limit + EPSILON:
                tokens.append(t)
            else:
                tokens.extend(self.ts.break_word(t.text, p.paragraph.bold, p.shaped, limit))
        return tokens

    def _count(
        self, prepared: Sequence[_Prepared], size: float, width: float, allow_break: bool
    ) -> tuple[list[int], float] | None:
        """Lines per paragraph and total height at `size`; None if a word will not fit."""
        counts: list[int] = []
        height = 0.0
        for p in prepared:
            psize = size * p.paragraph.scale
            limit = width / psize
            n = count_lines(self._tokens(p, limit, allow_break), p.space, limit)
            if n is None:
                return None
            counts.append(n)
            height += n * psize * p.line_factor * PT
        height += _gap(size) * (len(prepared) - 1)
        return counts, height

    def _set(self, prepared: Sequence[_Prepared], size: float, width: float) -> TextBlock:
        paragraphs: list[SetParagraph] = []
        for p in prepared:
            psize = size * p.paragraph.scale
            limit = width / psize
            wrapped = wrap(self._tokens(p, limit, allow_break=True), p.space, limit)
            bold = p.paragraph.bold
            lines = tuple(
                WrappedLine(
                    line.text,
                    self.ts.width(line.text, psize, bold, True) if p.shaped else line.width * psize,
                )
                for line in wrapped
            )
            paragraphs.append(
                SetParagraph(lines, psize, bold, p.shaped, psize * p.line_factor * PT)
            )
        return TextBlock(size, tuple(paragraphs), _gap(size))


def _gap(size: float) -> float:
    return PARAGRAPH_GAP * size * PT


def place(
    block: TextBlock,
    box: Box,
    align: Literal["centre", "start", "end"],
    valign: Literal["middle", "top"],
) -> tuple[Line, ...]:
    """Position the block's lines in `box`: centred, from the start edge of the
    line's direction (the left for English, the right for Urdu), or at the end edge."""
    top = box.y + (box.h - block.height) / 2 if valign == "middle" else box.y
    lines: list[Line] = []
    for i, p in enumerate(block.paragraphs):
        if i:
            top += block.gap
        for wrapped in p.lines:
            if align == "centre":
                x = box.x + (box.w - wrapped.width) / 2
            elif (align == "end") != (p.shaped and _right_to_left(wrapped.text)):
                x = box.right - wrapped.width
            else:
                x = box.x
            lines.append(
                Line(
                    wrapped.text,
                    p.size,
                    p.bold,
                    p.shaped,
                    Box(x, top, wrapped.width, p.line_height),
                )
            )
            top += p.line_height
    return tuple(lines)


def _right_to_left(text: str) -> bool:
    """Whether the first strongly directional character is right-to-left (Unicode P2)."""
    for c in text:
        kind = unicodedata.bidirectional(c)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False
