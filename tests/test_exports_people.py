"""The export's cover and Summary sheet count people, not cards."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from admin.exports.deck import Deck, ExportStatement
from admin.exports.formats import write_export
from admin.exports.summary import summarise
from bot.model import CATEGORIES

PEOPLE = [(1, "person", "Homecare"), (2, "person", "Homecare"), (3, "carer", "Day centre")]
"""Three people, five statements each: fifteen cards."""


def _deck() -> Deck:
    statements = [
        ExportStatement(
            statement_id=key * 10 + n,
            response_key=key,
            category=CATEGORIES[n % 3],
            card_text=f"Statement {n} of person {key}",
            original_text=None,
            pick_rank=None,
            perspective=perspective,
            segment=segment,
            channel="sms",
            language="en",
            translation=None,
            collected_at=datetime(2026, 3, 1, tzinfo=UTC),
        )
        for key, perspective, segment in PEOPLE
        for n in range(5)
    ]
    return Deck(
        programme_code="PARK",
        programme_name="Park",
        purpose="We listen.",
        future_colour="#1f5fa8",
        seed=7,
        exported_at=datetime(2026, 3, 2, tzinfo=UTC),
        include_all=True,
        statements=statements,
    )


def test_the_summary_counts_three_people_not_fifteen_cards() -> None:
    summary = summarise(_deck())
    assert summary.total == 15
    assert summary.people == 3
    assert summary.by_perspective == (("person", 2), ("carer", 1))
    assert summary.by_segment == (("Homecare", 2), ("Day centre", 1))


def test_the_cards_cover_says_who_answered_in_people(tmp_path: Path) -> None:
    """The printed cover reads 'Who answered (3 people): person 2, carer 1'."""
    path = tmp_path / "cards.pdf"
    write_export(_deck(), "cards", path)
    cover = " ".join(PdfReader(path).pages[0].extract_text().split())
    assert "Who answered (3 people): person 2, carer 1" in cover
    assert "Segments (people): Homecare 2, Day centre 1" in cover


def test_the_summary_sheet_counts_people(tmp_path: Path) -> None:
    path = tmp_path / "cards.xlsx"
    write_export(_deck(), "xlsx", path)
    sheet = load_workbook(io.BytesIO(path.read_bytes())).worksheets[0]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert rows["People"] == 3
    assert rows["person"] == 2 and rows["carer"] == 1
