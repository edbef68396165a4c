"""Drawing lines: a shaped line followed by plain text must not lose its font.

fpdf2 2.8 can record the page font as set inside a shaped line's q/Q (which
forgets it on Q); plain text drawn next at the same size then has no font and
poppler reports "No font in show". draw_lines works around it.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from admin.exports.document import new_document, save
from admin.exports.draw import draw_lines
from admin.exports.geometry import PT, Box, Line
from admin.exports.typeset import Typesetter
from tests.fixtures.exports.decks import URDU
from tests.fixtures.exports.pdfcheck import PDFTOPPM, page_texts, render_page


def test_plain_text_after_a_shaped_line_keeps_its_font(tmp_path: Path) -> None:
    pdf = new_document("t", datetime(2026, 1, 1, tzinfo=UTC))
    ts = Typesetter(pdf)
    pdf.add_page()
    size = 20.0
    urdu = Line(URDU, size, False, True, Box(10, 10, ts.width(URDU, size, False, True), 15))
    hello = "Hello after Urdu"
    plain = Line(hello, size, False, False, Box(10, 40, ts.width(hello, size, False, False), 10))
    draw_lines(pdf, [urdu, plain], (0, 0, 0))
    path = tmp_path / "lines.pdf"
    save(pdf, path)
    data = path.read_bytes()
    check = subprocess.run(
        [PDFTOPPM, "-r", "20", "-png", str(path), str(tmp_path / "x")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "No font" not in check.stderr
    assert hello in page_texts(data)[0]
    # And it is drawn: dark pixels along the plain line.
    image = render_page(data, 1, tmp_path)
    y = round((plain.baseline - 0.3 * size * PT) / 25.4 * 72)
    row = [sum(image.getpixel((x, y))) for x in range(round(10 / 25.4 * 72), round(60 / 25.4 * 72))]  # type: ignore[arg-type]
    assert min(row) < 300
