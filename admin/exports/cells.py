"""Making text safe to open in a spreadsheet.

A statement is whatever someone typed into a chat. Excel, LibreOffice and Google
Sheets treat a cell that starts with = + - or @ as a formula (and tab, CR or LF
as a way to smuggle one in), so `=HYPERLINK("http://x","y")` in a statement would
become a live link in a facilitator's spreadsheet. OWASP's advice for CSV
injection is to prefix such cells with a single quote, which shows the text as
typed and is never evaluated.

The check looks through disguises: text is folded with Unicode NFKC (so a full-width
`＝` `＋` `－` `＠` or a small-form `﹦` counts as `=` `+` `-` `@`), and leading
invisible characters (zero-width space, BOM, other format characters, any kind of
space) are skipped before the first character is looked at; a spreadsheet, or a
colleague cleaning the sheet, may drop them and leave a live formula.
"""

from __future__ import annotations

import unicodedata

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""Characters that make a spreadsheet treat a cell as a formula (or hide one)."""


INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"})
"""Format characters (ZWSP, BOM, bidi marks), controls, spaces, and combining marks: what
can sit before a formula without being seen."""


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text` (or it, cleaned of invisibles) as a formula."""
    if text.startswith(FORMULA_TRIGGERS):
        return True
    folded = unicodedata.normalize("NFKC", text)
    for char in folded:
        if char in FORMULA_TRIGGERS:
            return True
        if unicodedata.category(char) not in INVISIBLE_CATEGORIES:
            return False
    return False


def safe_cell(text: str) -> str:
    """`text` with a leading `'` if it starts like a formula, else unchanged."""
    if looks_like_formula(text):
        return "'" + text
    return text
