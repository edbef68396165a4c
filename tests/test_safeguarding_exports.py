"""A statement with an undecided safeguarding case is held back from every export format,
and the cover page and the Summary sheet say how many."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.exports.choices import export_bytes
from admin.exports.source import load_deck
from collection.models import Programme, SafeguardingCase, Statement
from collection.runtime import Services
from collection.safeguarding.cases import decide
from tests.support.admin import assisted, make_programme

DISCLOSURE = "my brother keeps all my benefit money"
ORDINARY = "The bus is always late"


async def _programme(session: AsyncSession) -> Programme:
    found = await session.execute(select(Programme).where(Programme.code == "PARK"))
    return found.scalar_one()


async def _deck_bytes(services: Services, fmt: str) -> bytes:
    async with services.sessions() as session:
        programme = await _programme(session)
        deck = await load_deck(session=session, programme=programme, include_all=True)
    return await export_bytes(deck, fmt, "2x4")


@pytest.fixture
async def held(services: Services) -> Services:
    programme = await make_programme(services, "PARK")
    await assisted(
        services, programme, {"working": ["The garden"], "not_working": [DISCLOSURE, ORDINARY]}
    )
    return services


async def test_csv_leaves_out_the_held_back_statement(held: Services) -> None:
    """The CSV has the ordinary statements and not the disclosure."""
    text = (await _deck_bytes(held, "csv")).decode("utf-8-sig")
    assert ORDINARY in text and "The garden" in text
    assert DISCLOSURE not in text


async def test_xlsx_summary_counts_the_held_back(held: Services) -> None:
    """The Summary sheet says one statement is held back; no sheet holds its words."""
    book = load_workbook(io.BytesIO(await _deck_bytes(held, "xlsx")))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["Held back (safeguarding review)"] == 1
    every_cell = " ".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )
    assert DISCLOSURE not in every_cell


@pytest.mark.parametrize("fmt", ["cards", "strips"])
async def test_the_cover_page_says_how_many_were_held_back(held: Services, fmt: str) -> None:
    """Cards and strips: the cover names the count; no page carries the words."""
    reader = PdfReader(io.BytesIO(await _deck_bytes(held, fmt)))
    cover = reader.pages[0].extract_text()
    assert "Held back for safeguarding review: 1" in " ".join(cover.split())
    everything = " ".join(page.extract_text() for page in reader.pages)
    assert "benefit money" not in " ".join(everything.split())


async def test_a_decision_puts_the_statement_back(held: Services) -> None:
    """Once a reviewer keeps it, the next export has it and holds nothing back."""
    async with held.sessions() as session, session.begin():
        case = (await session.execute(select(SafeguardingCase))).scalar_one()
        statement = await session.get(Statement, case.statement_id)
        decide(case, statement, decision="keep", by="ada@example.org", now=datetime.now(UTC))
    text = (await _deck_bytes(held, "csv")).decode("utf-8-sig")
    assert DISCLOSURE in text
    async with held.sessions() as session:
        programme = await _programme(session)
        deck = await load_deck(session=session, programme=programme, include_all=True)
    assert deck.held_back == 0


async def test_a_split_part_is_held_back_with_its_statement(held: Services) -> None:
    """A reviewer's split of a disclosure does not slip its parts past the hold-back."""
    async with held.sessions() as session, session.begin():
        case = (await session.execute(select(SafeguardingCase))).scalar_one()
        original = await session.get(Statement, case.statement_id)
        assert original is not None
        original.split = True
        session.add(
            Statement(
                response_id=original.response_id,
                programme_id=original.programme_id,
                category=original.category,
                position=9,
                text="my brother keeps my money",
                split_from_id=original.id,
                language="en",
            )
        )
    text = (await _deck_bytes(held, "csv")).decode("utf-8-sig")
    assert "my brother keeps my money" not in text and ORDINARY in text
