"""Word wrapping and the search for the largest font size that fits.

Pure arithmetic on word widths measured once at 1 pt: widths scale linearly
with the font size, so trying a size costs one pass over the words and no font
calls. That is what lets a 10,000-card deck choose 10,000 font sizes in well
under a second.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from admin.exports.geometry import EPSILON

SIZE_STEP = 0.5
"""Font sizes are tried in half points: finer steps are invisible on paper."""


@dataclass(frozen=True)
class Token:
    """A word (or a piece of one too long for any line) and its width at 1 pt in mm."""

    text: str
    width: float
    joined: bool = False
    """A continuation of the previous token: no space between them."""


@dataclass(frozen=True)
class WrappedLine:
    text: str
    width: float
    """Width at 1 pt in mm (multiply by the size)."""


def count_lines(tokens: Sequence[Token], space: float, limit: float) -> int | None:
    """Lines needed to set `tokens` greedily within `limit` (widths at 1 pt).

    None when a single token is wider than the limit: the caller then either
    shrinks the font or breaks the word.
    """
    lines = 0
    used = 0.0
    for token in tokens:
        if token.width > limit + EPSILON:
            return None
        gap = 0.0 if token.joined or used == 0.0 else space
        if lines == 0 or used + gap + token.width > limit + EPSILON:
            lines += 1
            used = token.width
        else:
            used += gap + token.width
    return lines


def wrap(tokens: Sequence[Token], space: float, limit: float) -> list[WrappedLine]:
    """The greedy wrap `count_lines` counts, as lines of text with their widths.

    A token wider than the limit gets a line to itself (callers avoid that by
    shrinking or breaking first).
    """
    lines: list[WrappedLine] = []
    parts: list[str] = []
    used = 0.0
    for token in tokens:
        gap = 0.0 if token.joined or not parts else space
        if parts and used + gap + token.width > limit + EPSILON:
            lines.append(WrappedLine("".join(parts), used))
            parts, used, gap = [], 0.0, 0.0
        if gap:
            parts.append(" ")
        parts.append(token.text)
        used += gap + token.width
    if parts:
        lines.append(WrappedLine("".join(parts), used))
    return lines


def largest_size(fits: Callable[[float], bool], low: float, high: float) -> float | None:
    """The largest size in [low, high] (in SIZE_STEP steps) for which `fits` holds.

    `fits` must be monotone (true below some size, false above it), which holds
    for greedy wrapping: a smaller font never needs more height. Binary search
    makes that about eight tries for sizes between 1 and 100 pt.
    """
    lo = round(low / SIZE_STEP)
    hi = round(high / SIZE_STEP)
    if lo > hi or not fits(lo * SIZE_STEP):
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid * SIZE_STEP):
            lo = mid
        else:
            hi = mid - 1
    return lo * SIZE_STEP
