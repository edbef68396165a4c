"""The strips PDF: one statement per strip, largest size on at most two lines,
more lines rather than cutting, colour band, packing, text layer."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fpdf import FPDF

from admin.exports import strips as strips_module
from admin.exports.categories import category_colour
from admin.exports.fonts import PRIMARY, register_fonts
from admin.exports.strips import (
    AREA,
    FLOOR,
    LARGEST,
    MAX_LINES,
    StripLayout,
    layout_strips,
    write_strips,
)
from admin.exports.typeset import clean
from tests.fixtures.exports.decks import (
    URDU,
    edge_statements,
    long_statement,
    make_deck,
    multilingual_statements,
    sample_statements,
    statement,
)
from tests.fixtures.exports.pdfcheck import close_to, page_texts, pixel_at_mm, render_page

WHITE = (255, 255, 255)


@pytest.fixture(scope="module")
def deck():  # type: ignore[no-untyped-def]
    return make_deck(sample_statements() + multilingual_statements() + edge_statements())


@pytest.fixture(scope="module")
def pdf_and_progress(deck) -> tuple[bytes, list[tuple[int, int]]]:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    calls: list[tuple[int, int]] = []
    write_strips(deck, out, progress=lambda d, t: calls.append((d, t)))
    return out.getvalue(), calls


@pytest.fixture(scope="module")
def layouts(deck) -> list[StripLayout]:  # type: ignore[no-untyped-def]
    return list(layout_strips(deck))


@pytest.fixture(scope="module")
def measure() -> FPDF:
    pdf = FPDF(unit="mm")
    register_fonts(pdf)
    return pdf


def width(pdf: FPDF, text: str, size: float, shaped: bool) -> float:
    pdf.set_font(PRIMARY, "", size)
    pdf.set_text_shaping(shaped)
    try:
        return float(pdf.get_string_width(text))
    finally:
        pdf.set_text_shaping(False)


def main_lines(s: StripLayout) -> list:  # type: ignore[type-arg]
    return [line for line in s.lines if line.size == s.size]


def test_strips_tile_the_page_in_card_call_order(layouts: list[StripLayout]) -> None:
    assert layouts[0].card.reference == "W-01" and layouts[0].page == 2
    previous = None
    for s in layouts:
        assert AREA.contains(s.strip)
        assert s.strip.w == AREA.w
        if previous is not None and previous.page == s.page:
            assert s.strip.y == pytest.approx(previous.strip.bottom)  # no gaps, no overlaps
        elif previous is not None:
            assert s.page == previous.page + 1
            assert s.strip.y == AREA.y
            # It would not have fitted under the previous one.
            assert previous.strip.bottom + s.strip.h > AREA.bottom
        previous = s


def test_no_text_overflows_its_strip(layouts: list[StripLayout], measure: FPDF) -> None:
    for s in layouts:
        assert s.strip.contains(s.text_box) and s.strip.contains(s.band)
        assert s.text_box.x >= s.band.right
        for line in s.lines:
            assert s.text_box.contains(line.box), (s.card.reference, line)
            assert width(measure, line.text, line.size, line.shaped) <= s.text_box.w + 1e-6
        for label in s.labels:
            assert s.band.contains(label.box)


def test_nothing_is_cut(layouts: list[StripLayout]) -> None:
    for s in layouts:
        st = s.card.statement
        expected = clean(st.card_text) + (" " + clean(st.translation) if st.translation else "")
        assert " ".join(line.text for line in s.lines) == expected


def test_largest_size_on_at_most_two_lines(layouts: list[StripLayout], measure: FPDF) -> None:
    checked = 0
    for s in layouts:
        st = s.card.statement
        if st.language == "ur" or len(st.card_text) > 300:
            continue
        assert FLOOR <= s.size <= LARGEST
        assert len(main_lines(s)) <= MAX_LINES
        if s.size < LARGEST:
            # Half a point bigger, a greedy wrap (measured independently) needs three lines.
            bigger = s.size + 0.5
            lines, current = 1, ""
            for w in clean(st.card_text).split(" "):
                candidate = f"{current} {w}" if current else w
                if width(measure, candidate, bigger, False) <= s.text_box.w + 1e-6:
                    current = candidate
                else:
                    lines, current = lines + 1, w
            assert lines > MAX_LINES, s.card.reference
            checked += 1
    assert checked > 10


def test_short_statements_print_at_the_largest_size(layouts: list[StripLayout]) -> None:
    friends = next(s for s in layouts if s.card.statement.card_text == "Friends")
    assert friends.size == LARGEST and len(friends.lines) == 1


def test_a_long_statement_gets_more_lines_at_the_floor(layouts: list[StripLayout]) -> None:
    long = next(s for s in layouts if len(s.card.statement.card_text) == 1000)
    assert long.size == FLOOR
    assert len(long.lines) > MAX_LINES


def test_below_the_floor_only_when_a_strip_would_not_fit_a_page() -> None:
    huge = long_statement(6000)
    (s,) = layout_strips(make_deck([statement(1, huge)]))
    assert s.size < FLOOR
    assert AREA.contains(s.strip)
    assert " ".join(line.text for line in s.lines) == clean(huge)


def test_band_colour_and_white_strip(deck, pdf_and_progress, layouts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdf, _ = pdf_and_progress
    firsts = [s for s in layouts if s.card.reference.endswith("-01")]
    assert len(firsts) == 3
    for page in sorted({s.page for s in firsts}):
        image = render_page(pdf, page, tmp_path)
        for s in (s for s in layouts if s.page == page):
            expected = category_colour(deck, s.card.statement.category)
            assert close_to(pixel_at_mm(image, s.band.x + 2, s.band.bottom - 1.5), expected)
            assert close_to(
                pixel_at_mm(image, s.strip.right - 1.5, s.strip.y + s.strip.h / 2), WHITE
            )


def test_every_statement_is_in_the_text_layer(pdf_and_progress, layouts) -> None:  # type: ignore[no-untyped-def]
    pdf, _ = pdf_and_progress
    pages = page_texts(pdf)
    for s in layouts:
        page = pages[s.page - 1]
        assert s.card.reference in page
        if s.card.statement.card_text == URDU:
            assert all(w in page.split() for w in URDU.split())
        else:
            assert clean(s.card.statement.card_text) in page
    assert "Strips for the card call" in pages[0]


def test_progress_and_stable_output(deck, pdf_and_progress, layouts) -> None:  # type: ignore[no-untyped-def]
    pdf, calls = pdf_and_progress
    n = len(deck.statements)
    assert calls[-1] == (n, n)
    assert len(calls) == layouts[-1].page - 1
    again = io.BytesIO()
    write_strips(deck, again)
    assert page_texts(again.getvalue()) == page_texts(pdf)


def test_strip_constants_are_sane() -> None:
    assert strips_module.FLOOR < strips_module.LARGEST
