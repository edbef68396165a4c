"""The fonts shipped with the exports and how they are registered with fpdf2.

People answer in their own language. Noto Sans covers Latin (Welsh ŵ ŷ, Polish
ą ę ł ż), Greek and Cyrillic; the others cover the scripts most often met in UK
services (Urdu and Arabic, Bengali, Punjabi, Gujarati, Hindi, Tamil, Hebrew,
Thai, Tigrinya and Amharic). They are copied into the package (see fonts/OFL.txt)
so an export looks the same on every server, whatever fonts it has installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).with_name("fonts")
PRIMARY = "notosans"


@dataclass(frozen=True)
class FontFile:
    family: str
    style: str
    """'' for regular, 'B' for bold."""
    filename: str


FONT_FILES: tuple[FontFile, ...] = (
    FontFile(PRIMARY, "", "NotoSans-Regular.ttf"),
    FontFile(PRIMARY, "B", "NotoSans-Bold.ttf"),
    FontFile("notonaskharabic", "", "NotoNaskhArabic-Regular.ttf"),
    FontFile("notonaskharabic", "B", "NotoNaskhArabic-Bold.ttf"),
    FontFile("notosansbengali", "", "NotoSansBengali-Regular.ttf"),
    FontFile("notosansgurmukhi", "", "NotoSansGurmukhi-Regular.ttf"),
    FontFile("notosansgujarati", "", "NotoSansGujarati-Regular.ttf"),
    FontFile("notosansdevanagari", "", "NotoSansDevanagari-Regular.ttf"),
    FontFile("notosanstamil", "", "NotoSansTamil-Regular.ttf"),
    FontFile("notosanshebrew", "", "NotoSansHebrew-Regular.ttf"),
    FontFile("notosansthai", "", "NotoSansThai-Regular.ttf"),
    FontFile("notosansethiopic", "", "NotoSansEthiopic-Regular.ttf"),
)

FALLBACK_FAMILIES: tuple[str, ...] = tuple(
    dict.fromkeys(f.family for f in FONT_FILES if f.family != PRIMARY)
)


def register_fonts(pdf: FPDF) -> None:
    """Add every shipped font to `pdf` and let fpdf2 fall back to them glyph by glyph.

    exact_match=False: most scripts ship in regular only, and a bold reference
    in Bengali is better drawn regular than not at all.
    """
    for font in FONT_FILES:
        pdf.add_font(font.family, font.style, str(FONT_DIR / font.filename))
    pdf.set_fallback_fonts(list(FALLBACK_FAMILIES), exact_match=False)
