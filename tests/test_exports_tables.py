"""CSV and XLSX: round trips back to the deck, spreadsheet-safe text, no ids of people."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from admin.exports.cells import safe_cell
from admin.exports.csv_export import write_csv
from admin.exports.deck import Card, Deck, ExportStatement
from admin.exports.ordering import order_for_card_call
from admin.exports.rows import COLUMNS
from admin.exports.xlsx_export import write_xlsx
from tests.fixtures.exports.decks import (
    POLISH,
    URDU,
    URDU_TRANSLATION,
    WELSH,
    make_deck,
    sample_statements,
    statement,
)

FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\tTab", "\rCR", "\nLF"]


@pytest.fixture(scope="module")
def deck() -> Deck:
    statements = sample_statements()
    n = len(statements)
    statements += [
        statement(n + 1, WELSH, "working", language="cy"),
        statement(n + 2, POLISH, "not_working", language="pl", original_text="Opiekunka ok"),
        statement(n + 3, URDU, "future", language="ur", translation=URDU_TRANSLATION),
        statement(n + 4, 'Says "hello", then, goes\nhome', "future", perspective=None),
        statement(n + 5, "No pick", "working", pick_rank=None, segment=None),
    ]
    statements += [
        statement(
            n + 10 + i,
            text,
            ("working", "not_working", "future")[i % 3],
            original_text=text,
            translation=text,
        )
        for i, text in enumerate(FORMULAS)
    ]
    return make_deck(statements)


def expected_row(card: Card) -> dict[str, str]:
    """What every exported row must say, as text."""
    s = card.statement
    return {
        "reference": card.reference,
        "category": s.category,
        "card_text": safe_cell(s.card_text),
        "original_text": safe_cell(s.original_text) if s.original_text else "",
        "pick_rank": "" if s.pick_rank is None else str(s.pick_rank),
        "perspective": s.perspective or "",
        "segment": s.segment or "",
        "channel": s.channel,
        "language": s.language,
        "translation": safe_cell(s.translation) if s.translation else "",
        "collected": s.collected_at.date().isoformat(),
    }


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("\nLF", "'\nLF"),
        ("Going out = fun", "Going out = fun"),
        ("", ""),
        ("ŵyl", "ŵyl"),
    ],
)
def test_safe_cell(text: str, safe: str) -> None:
    assert safe_cell(text) == safe


def read_csv(deck: Deck) -> list[dict[str, str]]:
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    write_csv(deck, text)
    text.flush()
    raw = buffer.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel's cue that the file is UTF-8
    with io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_round_trips_to_the_deck_in_card_call_order(deck: Deck) -> None:
    rows = read_csv(deck)
    assert list(rows[0]) == list(COLUMNS)
    assert rows == [expected_row(card) for card in order_for_card_call(deck)]


def test_csv_formula_cases_come_back_as_text_with_the_safe_prefix(deck: Deck) -> None:
    rows = read_csv(deck)
    by_text = {r["card_text"]: r for r in rows}
    for formula in FORMULAS:
        row = by_text["'" + formula]
        assert row["original_text"] == "'" + formula
        assert row["translation"] == "'" + formula


def test_csv_keeps_welsh_polish_and_urdu(deck: Deck) -> None:
    texts = {r["card_text"] for r in read_csv(deck)}
    assert {WELSH, POLISH, URDU} <= texts


def test_csv_holds_no_ids_of_people(deck: Deck) -> None:
    rows = read_csv(deck)
    assert not {"response_key", "statement_id"} & set(rows[0])
    keys = {str(s.response_key) for s in deck.statements}
    for row in rows:
        assert not keys & set(row.values())


def read_xlsx(deck: Deck) -> dict[str, list[tuple[object, ...]]]:
    buffer = io.BytesIO()
    write_xlsx(deck, buffer)
    buffer.seek(0)
    workbook = load_workbook(buffer)
    sheets = {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in workbook}
    for ws in workbook:
        if ws.title != "Summary":
            for row in ws.iter_rows(min_row=2):
                for col, cell in zip(COLUMNS, row, strict=True):
                    if cell.value is not None and col not in ("pick_rank", "collected"):
                        assert cell.data_type == "s", (col, cell.value)  # text, never a formula
    return sheets


def _ooxml_unescape(value: object) -> object:
    """Undo the _xHHHH_ escapes XlsxWriter uses for control characters (Excel
    decodes them; openpyxl leaves them as they are)."""
    if not isinstance(value, str):
        return value
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def test_xlsx_round_trips_each_category_to_its_sheet(deck: Deck) -> None:
    sheets = read_xlsx(deck)
    assert list(sheets) == ["Summary", "Working well", "Not working well", "Future"]
    cards = order_for_card_call(deck)
    for title, category in (
        ("Working well", "working"),
        ("Not working well", "not_working"),
        ("Future", "future"),
    ):
        header, *rows = sheets[title]
        assert header == COLUMNS
        expected = [expected_row(c) for c in cards if c.statement.category == category]
        got = []
        for r in rows:
            values = dict(zip(COLUMNS, (_ooxml_unescape(v) for v in r), strict=True))
            collected = values["collected"]
            assert hasattr(collected, "date")
            values["collected"] = collected.date().isoformat()  # a real date cell
            got.append({k: "" if v is None else str(v) for k, v in values.items()})
        assert got == expected


def test_xlsx_formula_cases_are_text_with_the_safe_prefix(deck: Deck) -> None:
    sheets = read_xlsx(deck)
    texts = {
        _ooxml_unescape(row[2])
        for title in ("Working well", "Not working well", "Future")
        for row in sheets[title][1:]
    }
    assert {"'" + f for f in FORMULAS} <= texts


def test_xlsx_summary_sheet(deck: Deck) -> None:
    summary = {row[0]: row[1] for row in read_xlsx(deck)["Summary"] if row[0] is not None}
    assert summary["Purpose"] == deck.purpose
    assert deck.programme_name in summary
    assert summary["Statements"] == "Top-two picks only"
    assert summary["Total"] == len(deck.statements)
    counts = {
        c: sum(s.category == c for s in deck.statements)
        for c in ("working", "not_working", "future")
    }
    assert summary["Working well"] == counts["working"]
    assert summary["Not working well"] == counts["not_working"]
    assert summary["Important for the future"] == counts["future"]
    # People, not cards: each response counted once under its perspective and segment.
    first: dict[int, ExportStatement] = {}
    for s in deck.statements:
        first.setdefault(s.response_key, s)
    people = list(first.values())
    assert summary["People"] == len(people) < len(deck.statements)
    assert summary.get("carer", 0) == sum(s.perspective == "carer" for s in people)
    assert summary.get("day services", 0) == sum(s.segment == "day services" for s in people)
    first = min(s.collected_at.date() for s in deck.statements)
    last = max(s.collected_at.date() for s in deck.statements)
    assert summary["First collected"].date() == first  # type: ignore[union-attr]
    assert summary["Last collected"].date() == last  # type: ignore[union-attr]
    assert summary["Exported"].date() == date(2026, 5, 2)  # type: ignore[union-attr]


def test_xlsx_says_when_every_statement_is_included() -> None:
    deck = make_deck(sample_statements()[:5], include_all=True)
    summary = {row[0]: row[1] for row in read_xlsx(deck)["Summary"] if row[0] is not None}
    assert summary["Statements"] == "All statements"


def test_xlsx_of_an_empty_deck_has_headers_only() -> None:
    sheets = read_xlsx(make_deck([]))
    assert sheets["Working well"] == [COLUMNS]
