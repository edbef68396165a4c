"""Creating and saving the A4 PDF documents the card and strip formats draw on."""

from __future__ import annotations

import os
from datetime import datetime
from typing import IO

from fpdf import FPDF

from admin.exports.fonts import register_fonts

A4_WIDTH = 210.0
A4_HEIGHT = 297.0
MARGIN = 10.0
"""Most office printers cannot print the outer 5 mm; 10 mm leaves room to cut."""

PdfTarget = str | os.PathLike[str] | IO[bytes]


def new_document(title: str, created: datetime) -> FPDF:
    """An empty A4 document in mm with the shipped fonts, no automatic page breaks
    (the layouts place every page) and no cell padding (layouts measure exactly)."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.set_title(title)
    pdf.set_creator("wtfc-collect")
    pdf.set_creation_date(created)
    register_fonts(pdf)
    return pdf


def save(pdf: FPDF, out: PdfTarget) -> None:
    """Write the finished document to a path or a binary stream."""
    data = pdf.output()
    if isinstance(out, str | os.PathLike):
        with open(out, "wb") as f:
            f.write(data)
    else:
        out.write(data)
