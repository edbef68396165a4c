"""The cards PDF: colours, text layer, fit (nothing overflows, nothing needlessly
small), scripts that need shaping, order, and the cover page."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uharfbuzz as hb
from fpdf import FPDF

from admin.exports.cards import GRIDS, CardLayout, layout_cards, write_cards
from admin.exports.categories import category_colour, ink_on, parse_hex
from admin.exports.deck import Deck
from admin.exports.fonts import FONT_DIR, PRIMARY, register_fonts
from admin.exports.geometry import PT
from admin.exports.typeset import clean
from tests.fixtures.exports.decks import (
    POLISH,
    URDU,
    URDU_TRANSLATION,
    WELSH,
    edge_statements,
    make_deck,
    multilingual_statements,
    sample_deck,
    sample_statements,
    statement,
)
from tests.fixtures.exports.pdfcheck import (
    close_to,
    page_fonts,
    page_texts,
    pixel_at_mm,
    render_page,
)

WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Export:
    deck: Deck
    pdf: bytes
    layouts: list[CardLayout]
    warnings: list[logging.LogRecord]
    progress: list[tuple[int, int]]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def export(deck: Deck, **options: object) -> Export:
    """Write the cards, capturing warnings (fpdf2 logs missing glyphs) and progress."""
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    calls: list[tuple[int, int]] = []
    out = io.BytesIO()
    try:
        write_cards(deck, out, progress=lambda d, t: calls.append((d, t)), **options)  # type: ignore[arg-type]
    finally:
        root.removeHandler(handler)
    layouts = list(layout_cards(deck, **options))  # type: ignore[arg-type]
    return Export(deck, out.getvalue(), layouts, handler.records, calls)


@pytest.fixture(scope="module")
def cards() -> Export:
    return export(make_deck(sample_statements() + multilingual_statements() + edge_statements()))


@pytest.fixture(scope="module")
def measure() -> Iterator[FPDF]:
    """A separate document for measuring, so checks do not reuse the export's measurements."""
    pdf = FPDF(unit="mm")
    register_fonts(pdf)
    yield pdf


def width(pdf: FPDF, text: str, size: float, bold: bool, shaped: bool) -> float:
    pdf.set_font(PRIMARY, "B" if bold else "", size)
    pdf.set_text_shaping(shaped)
    try:
        return float(pdf.get_string_width(text))
    finally:
        pdf.set_text_shaping(False)


def by_text(e: Export, text: str) -> CardLayout:
    return next(c for c in e.layouts if c.card.statement.card_text == text)


# Colours -----------------------------------------------------------------------------


def test_card_blocks_are_filled_with_their_category_colour(cards: Export, tmp_path: Path) -> None:
    pages = sorted({c.page for c in cards.layouts if c.card.reference.endswith("-01")})
    assert len(pages) == 3  # the first W, N and F cards
    for page in pages:
        image = render_page(cards.pdf, page, tmp_path)
        on_page = [c for c in cards.layouts if c.page == page]
        for c in on_page:
            expected = category_colour(cards.deck, c.card.statement.category)
            # Inside the block, in the padding clear of any text.
            for x, y in (
                (c.block.x + 1.5, c.block.bottom - 1.5),
                (c.block.right - 1.5, c.block.y + 1.5),
            ):
                assert close_to(pixel_at_mm(image, x, y), expected), (c.card.reference, x, y)
            # The gutter between block and cut line is white paper.
            gutter = GRIDS["2x4"].gutter
            assert close_to(
                pixel_at_mm(image, c.cell.x + gutter / 2, c.cell.y + c.cell.h / 2), WHITE
            )


def test_the_method_colours_and_a_configurable_future_colour(tmp_path: Path) -> None:
    pale = "#ffeb3b"
    deck = make_deck(
        [
            statement(1, "Going out", "working"),
            statement(2, "Late", "not_working"),
            statement(3, "A job", "future"),
        ],
        future_colour=pale,
    )
    e = export(deck)
    image = render_page(e.pdf, 2, tmp_path)
    colours = {
        c.card.statement.category: pixel_at_mm(image, c.block.x + 1.5, c.block.y + 1.5)
        for c in e.layouts
    }
    assert close_to(colours["working"], (0x2E, 0x7D, 0x32))
    assert close_to(colours["not_working"], (0xC6, 0x28, 0x28))
    assert close_to(colours["future"], parse_hex(pale))
    # Text reads black on a pale colour and white on the method's green and red.
    assert ink_on(parse_hex(pale)) == (0, 0, 0)
    assert ink_on(parse_hex("#2e7d32")) == WHITE == ink_on(parse_hex("#c62828"))
    future = next(c for c in e.layouts if c.card.statement.category == "future")
    line = future.lines[0]
    darkest = min(
        sum(image.getpixel((round(x / 25.4 * 72), round(line.baseline / 25.4 * 72 - dy))))  # type: ignore[arg-type]
        for x in (line.box.x + i * line.box.w / 20 for i in range(20))
        for dy in range(0, 6)
    )
    assert darkest < 200  # some black ink on the pale card


# Text layer --------------------------------------------------------------------------


def test_every_latin_statement_is_in_the_text_layer_on_its_page(cards: Export) -> None:
    pages = page_texts(cards.pdf)
    checked = 0
    for c in cards.layouts:
        s = c.card.statement
        if s.language == "ur":
            continue
        page = pages[c.page - 1]
        assert clean(s.card_text) in page, c.card.reference
        assert c.card.reference in page
        if s.translation:
            assert clean(s.translation) in page
        checked += 1
    assert checked == len(cards.layouts) - 1


def test_welsh_polish_and_urdu_render_with_no_missing_glyphs(cards: Export) -> None:
    # Any warning fails: fpdf2's "missing the following glyphs" and the export's own.
    assert [f"{r.name}: {r.getMessage()}" for r in cards.warnings] == []
    text = " ".join(page_texts(cards.pdf))
    assert clean(WELSH) in text and "ŵyl" in text and "tŷ" in text
    assert clean(POLISH) in text and all(w in text for w in ("żartuje", "gęś", "ząb", "łąka"))
    urdu = by_text(cards, URDU)
    urdu_lines = [line for line in urdu.lines if line.text.split()[0] in URDU]
    assert len(urdu_lines) >= 1
    assert all(line.shaped for line in urdu_lines)  # drawn through HarfBuzz
    # Every Urdu word shapes to real glyphs in the shipped Naskh font (glyph 0 is .notdef).
    face = hb.Face(hb.Blob.from_file_path(FONT_DIR / "NotoNaskhArabic-Regular.ttf"))
    for word in URDU.split():
        buf = hb.Buffer()
        buf.add_str(word)
        buf.guess_segment_properties()
        hb.shape(hb.Font(face), buf, {})
        assert buf.direction == "rtl"
        assert all(info.codepoint != 0 for info in buf.glyph_infos), word
    assert "NotoNaskhArabic" in page_fonts(cards.pdf, urdu.page)
    page = page_texts(cards.pdf)[urdu.page - 1]
    # Each Urdu word comes back from its glyphs (words in visual order on the line).
    assert all(word in page.split() for word in URDU.split())
    assert clean(URDU_TRANSLATION) in page


def test_a_character_no_font_has_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    """The control for the test above: characters no font has do produce a warning.

    (fpdf2's own missing-glyph warning only covers unshaped text; anything outside
    Noto Sans goes through HarfBuzz, so the export checks coverage itself.)"""
    deck = make_deck([statement(1, "Happy 😀 漢字")])
    with caplog.at_level(logging.WARNING):
        write_cards(deck, io.BytesIO())
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "U+1F600" in messages and "U+6F22" in messages and "U+5B57" in messages


def test_urdu_is_shaped_right_to_left(cards: Export, measure: FPDF) -> None:
    """Joined, shaped Urdu is narrower than its characters side by side, and its
    lines are placed from the right when not centred."""
    unshaped = width(measure, URDU, 20, False, False)
    shaped = width(measure, URDU, 20, False, True)
    assert shaped < unshaped * 0.95
    from admin.exports.textblock import place

    urdu = by_text(cards, URDU)
    assert urdu.lines[0].shaped
    # Laid out "start"-aligned, an Urdu line hugs the right edge.
    from admin.exports.textblock import Paragraph, Setter
    from admin.exports.typeset import Typesetter

    setter = Setter(Typesetter(measure))
    block = setter.set_at([Paragraph(URDU)], 12, 200)
    box = urdu.text_box
    line = place(block, box, "start", "top")[0]
    assert abs(line.box.right - box.right) < 1e-6


# Fit ---------------------------------------------------------------------------------


def test_no_text_overflows_its_card(cards: Export, measure: FPDF) -> None:
    for c in cards.layouts:
        assert c.block.contains(c.text_box)
        assert c.cell.contains(c.block)
        for line in c.lines:
            assert c.text_box.contains(line.box), (c.card.reference, line)
            # Measured again, independently: the drawn text fits the box.
            assert (
                width(measure, line.text, line.size, line.bold, line.shaped) <= c.text_box.w + 1e-6
            )
        for label in c.labels:
            assert c.block.contains(label.box)


def test_nothing_is_cut(cards: Export) -> None:
    for c in cards.layouts:
        s = c.card.statement
        expected = clean(s.card_text) + (" " + clean(s.translation) if s.translation else "")
        assert " ".join(line.text for line in c.lines) == expected, c.card.reference


def test_a_thousand_characters_and_one_word_both_fit(cards: Export) -> None:
    grid = GRIDS["2x4"]
    long = next(c for c in cards.layouts if len(c.card.statement.card_text) == 1000)
    word = by_text(cards, "Friends")
    assert word.size == grid.largest
    assert len(word.lines) == 1
    assert 5 <= long.size < 12  # smaller, not cut, still printable
    assert len(long.lines) > 10
    assert long.lines[-1].box.bottom <= long.text_box.bottom + 1e-6


def test_the_size_is_the_largest_that_fits(cards: Export, measure: FPDF) -> None:
    """Half a point larger, an independent greedy wrap no longer fits the card."""
    checked = 0
    for c in cards.layouts:
        s = c.card.statement
        if c.size >= GRIDS["2x4"].largest or s.translation or s.language == "ur":
            continue
        bigger = c.size + 0.5
        words = clean(s.card_text).split(" ")
        lines, current = 1, ""
        too_wide = False
        for w in words:
            candidate = f"{current} {w}" if current else w
            if width(measure, candidate, bigger, False, False) <= c.text_box.w + 1e-6:
                current = candidate
            else:
                too_wide = too_wide or width(measure, w, bigger, False, False) > c.text_box.w
                lines, current = lines + 1, w
        height = lines * bigger * PT * 1.25
        assert too_wide or height > c.text_box.h, c.card.reference
        checked += 1
    assert checked > 40


def test_words_longer_than_a_card_are_broken_not_cut(measure: FPDF) -> None:
    url = "https://example.org/" + "a" * 400
    e = export(make_deck([statement(1, url)]))
    (c,) = e.layouts
    assert "".join(line.text for line in c.lines) == url
    for line in c.lines:
        assert c.text_box.contains(line.box)
        assert width(measure, line.text, line.size, False, False) <= c.text_box.w + 1e-6


# Order, labels, options, cover ---------------------------------------------------------


def test_order_is_stable_across_exports_and_starts_with_working(cards: Export) -> None:
    again = export(cards.deck)
    assert page_texts(again.pdf) == page_texts(cards.pdf)
    assert [c.card.reference for c in again.layouts] == [c.card.reference for c in cards.layouts]
    first = min(cards.layouts, key=lambda c: (c.page, c.cell.y, c.cell.x))
    assert first.page == 2 and first.card.reference == "W-01"
    assert first.card.statement.category == "working"
    assert page_texts(cards.pdf)[1].startswith("W-01")


def test_reference_and_perspective_labels(cards: Export) -> None:
    carer = by_text(cards, "Friends")
    texts = [label.text for label in carer.labels]
    assert texts == [carer.card.reference, "carer"]
    reference, perspective = carer.labels
    assert reference.box.x == pytest.approx(carer.block.x + GRIDS["2x4"].padding)
    assert perspective.box.right == pytest.approx(carer.block.right - GRIDS["2x4"].padding)
    hidden = list(layout_cards(cards.deck, show_perspective=False))
    assert all(len(c.labels) == 1 for c in hidden)


def test_progress_is_reported_per_page(cards: Export) -> None:
    n = len(cards.deck.statements)
    per_page = GRIDS["2x4"].per_page
    assert len(cards.progress) == -(-n // per_page)
    assert cards.progress[-1] == (n, n)
    assert [d for d, _ in cards.progress] == sorted(d for d, _ in cards.progress)


def test_one_by_two_layout_has_two_bigger_cards_a_page() -> None:
    deck = sample_deck()
    small = {c.card.reference: c.size for c in layout_cards(deck, "2x4")}
    big = list(layout_cards(deck, "1x2"))
    assert max(c.page for c in big) == 1 + -(-len(deck.statements) // 2)
    assert all(big[i].page == 2 + i // 2 for i in range(len(big)))
    assert sum(c.size > small[c.card.reference] for c in big) == len(big)
    e = export(deck, layout="1x2")
    assert len(page_texts(e.pdf)) == max(c.page for c in big)


def test_cover_page(cards: Export) -> None:
    cover = page_texts(cards.pdf)[0]
    deck = cards.deck
    assert deck.programme_name in cover
    assert clean(deck.purpose) in cover
    counts = {
        c: sum(s.category == c for s in deck.statements)
        for c in ("working", "not_working", "future")
    }
    assert f"Working well: {counts['working']} (W-01 to W-{counts['working']:02d})" in cover
    assert f"Not working well: {counts['not_working']}" in cover
    assert f"Important for the future: {counts['future']}" in cover
    assert "Exported 2 May 2026" in cover
    assert "top-two picks only" in cover


def test_an_empty_deck_is_a_cover_page() -> None:
    e = export(make_deck([]))
    assert len(page_texts(e.pdf)) == 1
    assert "Working well: none" in page_texts(e.pdf)[0]
    assert e.progress == []


def test_an_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="3x3"):
        write_cards(make_deck([]), io.BytesIO(), layout="3x3")  # type: ignore[arg-type]
