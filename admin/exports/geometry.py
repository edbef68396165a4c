"""Boxes and laid-out lines: the shared vocabulary of the PDF layouts.

Layouts are computed before anything is drawn and kept as plain data, so a test
can check that every line sits inside its card without parsing the PDF.
Units are millimetres from the page's top-left corner (fpdf2's convention);
font sizes are points.
"""

from __future__ import annotations

from dataclasses import dataclass

PT = 25.4 / 72
"""Millimetres per point."""

EPSILON = 1e-6


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def inset(self, dx: float, dy: float | None = None) -> Box:
        """The box shrunk by dx on the left and right and dy (default dx) top and bottom."""
        dy = dx if dy is None else dy
        return Box(self.x + dx, self.y + dy, self.w - 2 * dx, self.h - 2 * dy)

    def contains(self, other: Box) -> bool:
        """Whether `other` lies wholly inside this box (to a micrometre's rounding)."""
        return (
            other.x >= self.x - EPSILON
            and other.y >= self.y - EPSILON
            and other.right <= self.right + EPSILON
            and other.bottom <= self.bottom + EPSILON
        )


@dataclass(frozen=True)
class Line:
    """One line of text as it will be drawn."""

    text: str
    size: float
    """Font size in points."""
    bold: bool
    shaped: bool
    """Drawn through HarfBuzz (right-to-left or complex script) rather than the fast path."""
    box: Box
    """The line's extent: x..right is the measured text width, y..bottom its line height."""

    @property
    def baseline(self) -> float:
        """Where the text sits: the same rule fpdf2's cell() uses, so both paths agree."""
        return self.box.y + 0.5 * self.box.h + 0.3 * self.size * PT
