"""The A4 poster for the centre's wall: the purpose, how to text in, and QR codes.

Drawn with fpdf2. QR codes (segno) are drawn as vector squares, so they print
sharp at any size. Text uses a Unicode TrueType font when one is available
(Welsh and Polish letters need it) and falls back to the PDF core font.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import segno
from fpdf import FPDF

HERE = Path(__file__).resolve().parent
FONT_CANDIDATES = (
    (
        HERE / "fonts" / "NotoSans-Regular.ttf",
        HERE / "fonts" / "NotoSans-Bold.ttf",
    ),
    (
        Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
        Path("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    ),
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
)
QUESTIONS = (
    "What is working well for you?",
    "What is not working well?",
    "What is important to you for the future?",
)
INK = (27, 27, 27)
ACCENT = (11, 83, 148)


@dataclass(frozen=True)
class PosterContent:
    name: str
    code: str
    purpose: str
    sms_number: str | None
    web_url: str
    telegram_url: str | None


def _fonts() -> tuple[Path, Path] | None:
    for regular, bold in FONT_CANDIDATES:
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class _Poster(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_auto_page_break(auto=False)
        self.set_margins(18, 18, 18)
        fonts = _fonts()
        self.unicode = fonts is not None
        if fonts is not None:
            self.add_font("Poster", "", str(fonts[0]))
            self.add_font("Poster", "B", str(fonts[1]))
            self.family_name = "Poster"
        else:
            self.family_name = "Helvetica"

    def text_for(self, text: str) -> str:
        if self.unicode:
            return text
        plain = unicodedata.normalize("NFKD", text)
        return plain.encode("latin-1", "ignore").decode("latin-1")

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)

    def qr(self, data: str, x: float, y: float, size: float) -> None:
        code = segno.make(data, error="m")
        rows = list(code.matrix_iter(scale=1, border=2))
        module = size / len(rows)
        self.set_fill_color(255, 255, 255)
        self.rect(x, y, size, size, style="F")
        self.set_fill_color(0, 0, 0)
        for row_index, row in enumerate(rows):
            for col_index, dark in enumerate(row):
                if dark:
                    self.rect(
                        x + col_index * module,
                        y + row_index * module,
                        module + 0.01,
                        module + 0.01,
                        style="F",
                    )


def build_poster(content: PosterContent) -> bytes:
    pdf = _Poster()
    pdf.set_title(f"{content.name}: tell us what matters to you")
    pdf.set_lang("en-GB")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_text_color(*ACCENT)
    pdf.font(34, bold=True)
    pdf.multi_cell(
        width,
        14,
        pdf.text_for("Tell us what matters to you"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(*INK)
    pdf.font(20, bold=True)
    pdf.multi_cell(width, 10, pdf.text_for(content.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if content.purpose:
        pdf.font(15 if len(content.purpose) < 300 else 11)
        pdf.multi_cell(
            width, 7.5, pdf.text_for(content.purpose), align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(4)
    pdf.font(16, bold=True)
    pdf.multi_cell(
        width,
        8,
        pdf.text_for("We will ask you three questions:"),
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.font(16)
    for number, question in enumerate(QUESTIONS, 1):
        pdf.multi_cell(
            width,
            8,
            pdf.text_for(f"{number}. {question}"),
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(5)
    if content.sms_number:
        pdf.set_fill_color(*ACCENT)
        pdf.set_text_color(255, 255, 255)
        pdf.font(28, bold=True)
        pdf.multi_cell(
            width,
            16,
            pdf.text_for(f"Text {content.code} to {content.sms_number}"),
            align="C",
            fill=True,
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_text_color(*INK)
        pdf.ln(5)
    else:
        pdf.font(22, bold=True)
        pdf.multi_cell(
            width,
            11,
            pdf.text_for(f"Your code is {content.code}"),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(4)
    codes = [("Scan to answer online", content.web_url)]
    if content.telegram_url:
        codes.append(("Scan to answer on Telegram", content.telegram_url))
    top = pdf.get_y() + 2
    size = max(min(62.0, pdf.h - 36 - top - 10), 30.0)
    # shrinks for a long purpose, so the codes stay above the footer
    gap = (width - size * len(codes)) / (len(codes) + 1)
    for index, (label, url) in enumerate(codes):
        x = pdf.l_margin + gap + index * (size + gap)
        pdf.qr(url, x, top, size)
        pdf.set_xy(x - gap / 2, top + size + 1)
        pdf.font(14, bold=True)
        pdf.multi_cell(size + gap, 7, pdf.text_for(label), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.h - 34)
    pdf.font(12)
    pdf.multi_cell(
        width,
        6,
        pdf.text_for(
            "Your answers go on cards with no name on them. You can stop at any time: "
            "send STOP. Staff here can also type your answers in for you - just ask."
        ),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
