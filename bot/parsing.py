"""Reading what a person typed: statements, numbers and empty messages."""

from __future__ import annotations

import re
import unicodedata

LONG_STATEMENT = 500
"""Statements over this many characters are kept whole but flagged for review."""

PREVIEW = 60
"""How much of a statement the engine keeps to show in lists (SMS must stay short)."""

_MARKER = re.compile(r"^\s*(?:\d{1,2}\s*[.)\-:]|[-*\u2022\u00b7\u2013\u2014>])\s*")
_CONNECTIVES = {"and", "&", "a", "ac", "i", "oraz", "\u0627\u0648\u0631", "or", "then", "plus"}


def has_words(text: str) -> bool:
    """True when the text has at least one letter or digit (not just emoji or '?')."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in text)


def clean(text: str) -> str:
    """Drop control characters (keeping line breaks) and surrounding space."""
    kept = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return kept.replace("\t", " ").strip()


def split_statements(text: str) -> list[str]:
    """A message of several numbered or bulleted lines is several statements.

    Anything else is one statement, however long: we keep people's words whole.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) >= 2 and all(_MARKER.match(line) for line in lines):
        items = [_MARKER.sub("", line, count=1).strip() for line in lines]
        return [item for item in items if has_words(item)]
    return [text.strip()] if has_words(text) else []


def statement_flags(text: str) -> tuple[str, ...]:
    """Flags the engine can see by itself; the quality review adds more."""
    return ("long",) if len(text) > LONG_STATEMENT else ()


def preview(text: str) -> str:
    """A short form for numbered lists, cut at a word with an ellipsis."""
    one_line = " ".join(text.split())
    if len(one_line) <= PREVIEW:
        return one_line
    cut = one_line[: PREVIEW - 1]
    if " " in cut[PREVIEW // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "\u2026"


def numbers(text: str) -> list[int] | None:
    """The numbers in a reply like `1 3`, `1,3`, `1 and 3`, `1&3`; None if it is not one."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    found = re.findall(r"\d+", normal)
    if not found:
        return None
    rest = re.sub(r"\d+", " ", normal)
    words = [w for w in re.split(r"[\s,;/+&.()\-]+", rest) if w]
    if any(w not in _CONNECTIVES for w in words):
        return None
    values: list[int] = []
    for digits in found:
        if len(digits) > 3:
            return None
        values.append(int(digits))
    return values
