"""Drawing laid-out lines, colour blocks and cut lines onto an fpdf2 page."""

from __future__ import annotations

from collections.abc import Iterable

from fpdf import FPDF

from admin.exports.categories import RGB
from admin.exports.fonts import PRIMARY
from admin.exports.geometry import Box, Line

CUT_LINE_GREY = (150, 150, 150)
CUT_LINE_WIDTH = 0.2
CUT_DASH = 2.0


def draw_lines(pdf: FPDF, lines: Iterable[Line], ink: RGB) -> None:
    """Draw each line where its layout put it, in `ink`."""
    pdf.set_text_color(*ink)
    for line in lines:
        pdf.set_font(PRIMARY, "B" if line.bold else "", line.size)
        if not line.shaped:
            pdf.text(line.box.x, line.baseline, line.text)
            continue
        # Put the main font on the page before cell() (an empty text() does that).
        # Otherwise fpdf2 2.8, when the line starts in a fallback font, sets the
        # page font inside the line's q/Q, which forgets it, or makes the fallback
        # font the current one: the next line would print with no font or in Naskh.
        pdf.text(line.box.x, line.baseline, "")
        pdf.set_text_shaping(True)
        pdf.set_xy(line.box.x, line.box.y)
        pdf.cell(line.box.w, line.box.h, line.text, align="C")
        pdf.set_text_shaping(False)


def fill_box(pdf: FPDF, box: Box, colour: RGB) -> None:
    pdf.set_fill_color(*colour)
    pdf.rect(box.x, box.y, box.w, box.h, style="F")


def draw_cut_lines(pdf: FPDF, xs: Iterable[float], ys: Iterable[float], area: Box) -> None:
    """Thin dashed lines at each x (top to bottom of `area`) and each y (across it)."""
    pdf.set_draw_color(*CUT_LINE_GREY)
    pdf.set_line_width(CUT_LINE_WIDTH)
    pdf.set_dash_pattern(dash=CUT_DASH, gap=CUT_DASH)
    for x in xs:
        pdf.line(x, area.y, x, area.bottom)
    for y in ys:
        pdf.line(area.x, y, area.right, y)
    pdf.set_dash_pattern()
