"""Making text safe to open in a spreadsheet.

A statement is whatever someone typed into a chat. Excel, LibreOffice and Google
Sheets treat a cell that starts with = + - or @ as a formula (and tab, CR or LF
as a way to smuggle one in), so `=HYPERLINK("http://x","y")` in a statement would
become a live link in a facilitator's spreadsheet. OWASP's advice for CSV
injection is to prefix such cells with a single quote, which shows the text as
typed and is never evaluated.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""Characters that make a spreadsheet treat a cell as a formula (or hide one)."""


def safe_cell(text: str) -> str:
    """`text` with a leading `'` if it starts like a formula, else unchanged."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text
