"""Measuring text the way fpdf2 will draw it, quickly.

Two paths. Most statements are in scripts Noto Sans covers with one glyph per
character and no joining (English, Welsh, Polish...): their widths are sums of
the font's advance widths, looked up in a table, and they are drawn with
fpdf2's cheap `text()`. Statements that need HarfBuzz (right-to-left Urdu and
Arabic, Indic scripts, combining marks, characters only a fallback font has)
are measured and drawn with shaping on: correct joined, reordered glyphs, but
about a hundred times slower, so only the text that needs it pays for it.
Word widths are cached in both paths: statements repeat words constantly.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from fpdf import FPDF
from fpdf.fonts import TTFFont

from admin.exports.fit import Token
from admin.exports.fonts import PRIMARY
from admin.exports.geometry import PT

UNIT = 0.001 * PT
"""Advance widths are in 1/1000 em: this turns their sum into mm at 1 pt."""

_RIGHT_TO_LEFT = {"R", "AL", "AN"}


def clean(text: str) -> str:
    """The text as it is printed: NFC (so ŵ is one character, not w + accent) and
    runs of whitespace, newlines included, as single spaces (cards reflow text)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class Typesetter:
    """Widths and script decisions for one fpdf2 document with the shipped fonts."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        regular = _ttf(pdf, PRIMARY)
        bold = _ttf(pdf, PRIMARY + "B")
        self._advances: dict[bool, dict[int, float]] = {False: regular.cw, True: bold.cw}
        covered = set(regular.cmap) & set(bold.cmap)
        self._plain = frozenset(chr(c) for c in covered if _plain_char(chr(c)))
        self._any_font = frozenset(chr(c) for key in pdf.fonts for c in _ttf(pdf, key).cmap)
        self._shaped_widths: dict[tuple[str, bool], float] = {}
        self._plain_widths: dict[tuple[str, bool], float] = {}

    def is_shaped(self, text: str) -> bool:
        """Whether `text` must go through HarfBuzz and font fallback to print correctly."""
        return not self._plain.issuperset(text)

    def missing(self, texts: Iterable[str]) -> set[str]:
        """Characters that no shipped font can draw (they would print as empty boxes)."""
        chars: set[str] = set()
        for text in texts:
            chars.update(text)
        return {c for c in chars - self._any_font if not c.isspace() and c.isprintable()}

    def space(self, bold: bool) -> float:
        """Width of a space at 1 pt in mm."""
        return float(self._advances[bold][32]) * UNIT

    def tokens(self, text: str, bold: bool, shaped: bool) -> tuple[Token, ...]:
        """The words of `text` with their widths at 1 pt."""
        return tuple(Token(word, self.word_width(word, bold, shaped)) for word in text.split(" "))

    def word_width(self, word: str, bold: bool, shaped: bool) -> float:
        """Width of `word` at 1 pt in mm (cached)."""
        key = (word, bold)
        cache = self._shaped_widths if shaped else self._plain_widths
        width = cache.get(key)
        if width is None:
            width = self.width(word, 1.0, bold, shaped)
            cache[key] = width
        return width

    def width(self, text: str, size: float, bold: bool, shaped: bool) -> float:
        """Width of `text` at `size` in mm, exactly as it will be drawn."""
        if shaped:
            return self._measure_shaped(text, size, bold)
        advances = self._advances[bold]
        return sum(advances[ord(c)] for c in text) * UNIT * size

    def break_word(self, word: str, bold: bool, shaped: bool, limit: float) -> list[Token]:
        """`word` cut into pieces no wider than `limit` (at 1 pt), between characters.

        Only for words wider than a whole line even at the smallest size (a long
        web address, a row of emoji): printing it broken beats cutting it off.
        Combining marks stay with their base character.
        """
        pieces: list[Token] = []
        start = 0
        while start < len(word):
            end = start + 1
            while end < len(word) and _is_mark(word[end]):
                end += 1
            best = end
            while end < len(word):
                nxt = end + 1
                while nxt < len(word) and _is_mark(word[nxt]):
                    nxt += 1
                if self.width(word[start:nxt], 1.0, bold, shaped) > limit:
                    break
                best = end = nxt
            piece = word[start:best]
            pieces.append(Token(piece, self.width(piece, 1.0, bold, shaped), joined=start > 0))
            start = best
        return pieces

    def _measure_shaped(self, text: str, size: float, bold: bool) -> float:
        pdf = self.pdf
        pdf.set_font(PRIMARY, "B" if bold else "", size)
        pdf.set_text_shaping(True)
        try:
            return float(pdf.get_string_width(text))
        finally:
            pdf.set_text_shaping(False)


def _ttf(pdf: FPDF, key: str) -> TTFFont:
    font = pdf.fonts[key]
    if not isinstance(font, TTFFont):
        raise TypeError(f"{key} is not a TrueType font: register_fonts() first")
    return font


def _is_mark(c: str) -> bool:
    """A character drawn on or joined to the one before it (accent, vowel sign, joiner)."""
    return unicodedata.category(c).startswith("M") or c in "\u200c\u200d"


def _plain_char(c: str) -> bool:
    """A character the fast path draws correctly: not right-to-left, not a combining mark."""
    return (
        unicodedata.bidirectional(c) not in _RIGHT_TO_LEFT
        and not unicodedata.combining(c)
        and unicodedata.category(c) not in ("Mn", "Mc", "Me", "Cf")
    )
