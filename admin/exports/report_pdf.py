"""The workshop report (`--format report`): an A4 PDF a lead can read or hand round.

First the headlines (themes per category, ballots, the themes carried forward to
the five whys), then per category a bar chart of the themes by cards and by
people, each theme's counts (perspective, segment, votes) with its cards listed
by reference and text, then the votes as a bar chart, then parked cards and any
card never called. Charts are drawn as rectangles with fpdf2 (vector, no image
library). The shipped Noto fonts and text shaping print any language.
"""

from __future__ import annotations

from fpdf import FPDF

from admin.exports.categories import LABELS, RGB, ink_on, parse_hex
from admin.exports.deck import Card
from admin.exports.document import PdfTarget, save
from admin.exports.fonts import PRIMARY, register_fonts
from admin.services.workshop_report import PERSPECTIVES, ThemeRow, WorkshopReport
from bot.model import CATEGORIES, Category

MARGIN = 15.0
WIDTH = 210.0 - 2 * MARGIN
BAR_COLOURS: dict[str, RGB] = {
    "working": parse_hex("#2e7d32"),
    "not_working": parse_hex("#c62828"),
}
PEOPLE_COLOUR: RGB = (120, 120, 120)
FORWARD_COLOUR: RGB = (179, 92, 0)


class _Report(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(PRIMARY, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"Page {self.page_no()}", align="C")


def write_report(report: WorkshopReport, out: PdfTarget, *, future_colour: str) -> None:
    colours = {**BAR_COLOURS, "future": parse_hex(future_colour)}
    pdf = _Report(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(f"Theme workshop report: {report.programme_name}")
    pdf.set_creator("wtfc-collect")
    pdf.set_creation_date(report.made_at)
    register_fonts(pdf)
    pdf.set_text_shaping(True)
    pdf.add_page()
    _cover(pdf, report)
    for category in CATEGORIES:
        _category(pdf, report, category, colours[category])
    _votes(pdf, report)
    _apart(pdf, report)
    save(pdf, out)


def _n(count: int, word: str) -> str:
    """'1 card', '3 cards': the report is read by people, not parsed."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _text(pdf: FPDF, text: str, size: float = 10, style: str = "", height: float = 5) -> None:
    pdf.set_font(PRIMARY, style, size)
    pdf.multi_cell(WIDTH, height, text, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, text: str, colour: RGB | None = None) -> None:
    if pdf.get_y() > 240:
        pdf.add_page()
    pdf.ln(3)
    if colour is not None:
        pdf.set_fill_color(*colour)
        pdf.set_text_color(*ink_on(colour))
        pdf.set_font(PRIMARY, "B", 15)
        pdf.cell(WIDTH, 10, "  " + text, fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    else:
        _text(pdf, text, 15, "B", 8)
    pdf.ln(2)


def _cover(pdf: FPDF, report: WorkshopReport) -> None:
    _text(pdf, "Theme workshop report", 22, "B", 10)
    _text(pdf, report.programme_name, 15, "B", 8)
    if report.purpose:
        _text(pdf, report.purpose, 11)
    _text(pdf, f"Made {report.made_at:%d %B %Y}", 9)
    pdf.ln(4)
    _heading(pdf, "In short")
    for category in CATEGORIES:
        themes = report.themes[category]
        cards = sum(t.card_count for t in themes)
        parked = len(report.parked[category])
        _text(
            pdf,
            f"{LABELS[category]}: {_n(len(themes), 'theme')}, {_n(cards, 'card')}"
            + (f", {parked} parked" if parked else ""),
            11,
        )
    _text(pdf, f"Ballots from phones and texts: {report.ballots}", 11)
    forward = report.carried_forward
    if forward:
        pdf.ln(2)
        _text(pdf, "Carried forward to the five whys:", 11, "B")
        for theme in forward:
            _text(pdf, f"  {theme.number}. {theme.name} ({_n(theme.total_votes, 'vote')})", 11)


def _bars(
    pdf: FPDF, rows: list[tuple[str, int, int]], colour: RGB, labels: tuple[str, str]
) -> None:
    """Horizontal bars: each row's main count in the category colour, the second in grey."""
    if not rows:
        return
    top = max(max(a, b) for _name, a, b in rows) or 1
    label_w, bar_w, row_h = 70.0, WIDTH - 70.0 - 12.0, 9.0
    if pdf.get_y() + 8 + row_h * len(rows) > 275:
        pdf.add_page()
    pdf.set_font(PRIMARY, "", 8)
    x0, y = pdf.l_margin, pdf.get_y()
    pdf.set_fill_color(*colour)
    pdf.rect(x0, y + 1, 4, 3, style="F")
    pdf.set_xy(x0 + 5, y)
    pdf.cell(40, 5, labels[0])
    pdf.set_fill_color(*PEOPLE_COLOUR)
    pdf.rect(x0 + 50, y + 1, 4, 3, style="F")
    pdf.set_xy(x0 + 55, y)
    pdf.cell(40, 5, labels[1])
    y += 7
    for name, main, second in rows:
        pdf.set_xy(x0, y)
        pdf.set_font(PRIMARY, "", 8)
        shown = name if len(name) <= 48 else name[:46] + "…"
        pdf.cell(label_w - 2, 4, shown, align="R")
        pdf.set_fill_color(*colour)
        pdf.rect(x0 + label_w, y, max(0.5, bar_w * main / top), 3.6, style="F")
        pdf.set_xy(x0 + label_w + bar_w * main / top + 1, y - 0.2)
        pdf.cell(10, 4, str(main))
        pdf.set_fill_color(*PEOPLE_COLOUR)
        pdf.rect(x0 + label_w, y + 4, max(0.5, bar_w * second / top), 2.6, style="F")
        y += row_h
    pdf.set_xy(x0, y)
    pdf.ln(2)


def _counts(theme: ThemeRow, segments: tuple[str, ...]) -> str:
    parts = [
        f"{theme.card_count} {'card' if theme.card_count == 1 else 'cards'}",
        f"top-two picks of {theme.people} {'person' if theme.people == 1 else 'people'}",
    ]
    perspective = ", ".join(
        f"{name} {theme.by_perspective[name]}"
        for name in dict.fromkeys(PERSPECTIVES.values())
        if theme.by_perspective.get(name)
    )
    if perspective:
        parts.append(perspective)
    if len(segments) > 1 or (segments and segments[0] != "No segment"):
        parts.append(
            "segments: " + ", ".join(f"{s} {n}" for s, n in sorted(theme.by_segment.items()))
        )
    if theme.category == "not_working":
        parts.append(
            f"votes {theme.total_votes}" + (f" ({theme.dots} paper dots)" if theme.dots else "")
        )
    return " · ".join(parts)


def _cards(pdf: FPDF, cards: list[Card] | tuple[Card, ...]) -> None:
    for card in cards:
        pdf.set_font(PRIMARY, "B", 9)
        pdf.cell(14, 4.5, card.reference)
        pdf.set_font(PRIMARY, "", 9)
        text = card.statement.card_text
        if card.statement.translation:
            text += f"  ({card.statement.translation})"
        pdf.multi_cell(WIDTH - 14, 4.5, text, new_x="LMARGIN", new_y="NEXT")


def _category(pdf: FPDF, report: WorkshopReport, category: Category, colour: RGB) -> None:
    themes = report.themes[category]
    pdf.add_page()
    _heading(pdf, LABELS[category], colour)
    if not themes:
        _text(pdf, "No themes.", 10)
        return
    _bars(
        pdf,
        [(f"{t.number}. {t.name}", t.card_count, t.people) for t in themes],
        colour,
        ("cards", "people whose top-two picks it holds"),
    )
    for theme in themes:
        if pdf.get_y() > 250:
            pdf.add_page()
        pdf.ln(2)
        mark = "  [carried forward]" if theme.carried_forward else ""
        _text(pdf, f"{theme.number}. {theme.name}{mark}", 12, "B", 6)
        _text(pdf, _counts(theme, report.segments), 9, "", 4.5)
        _cards(pdf, theme.cards)


def _votes(pdf: FPDF, report: WorkshopReport) -> None:
    ranked = report.ranked_votes()
    if not ranked:
        return
    pdf.add_page()
    _heading(pdf, "Votes: not working themes", BAR_COLOURS["not_working"])
    _text(pdf, f"{_n(report.ballots, 'ballot')} from phones and texts, plus paper dots.", 10)
    pdf.ln(2)
    _bars(
        pdf,
        [(f"{t.number}. {t.name}", t.total_votes, t.card_count) for t in ranked],
        FORWARD_COLOUR,
        ("votes (phones, texts, dots)", "cards"),
    )
    for place, theme in enumerate(ranked, start=1):
        mark = " - carried forward" if theme.carried_forward else ""
        _text(pdf, f"{place}. {theme.name}: {_n(theme.total_votes, 'vote')}{mark}", 10)


def _apart(pdf: FPDF, report: WorkshopReport) -> None:
    parked = [c for category in CATEGORIES for c in report.parked[category]]
    uncalled = [c for category in CATEGORIES for c in report.uncalled[category]]
    if not parked and not uncalled:
        return
    pdf.add_page()
    if parked:
        _heading(pdf, "Parked cards")
        _cards(pdf, parked)
    if uncalled:
        _heading(pdf, "Cards not called")
        _cards(pdf, uncalled)
