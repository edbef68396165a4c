"""Splitting a statement with several ideas: parts, the original kept, picks carried, exports."""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy import select

from collection.models import AuditEntry, Pick, Statement
from collection.runtime import Services
from tests.fixtures.exports.pdfcheck import page_texts
from tests.support.admin import assisted, csrf_of, make_programme, signed_in

SEVERAL = "the staff are kind but the dinners are cold and I would love a swim"
PARTS = ["The staff are kind", "The dinners are cold", "I would love a swim"]


async def _programme(services: Services) -> int:
    programme = await make_programme(
        services, "PARK", segments=[{"name": "homecare", "target": 10}], languages=["en", "cy"]
    )
    await assisted(
        services,
        programme,
        {"working": [SEVERAL, "The garden is lovely", "Music on Fridays"]},
        picks={"working": [1, 2]},
        perspective="carer",
        segment="homecare",
        language="cy",
    )
    async with services.sessions() as session:
        return (
            await session.execute(select(Statement.id).where(Statement.text == SEVERAL))
        ).scalar_one()


async def _split(
    http: httpx.AsyncClient, statement_id: int, data: dict[str, object]
) -> httpx.Response:
    page = await http.get("/admin/programmes/PARK/quality")
    return await http.post(
        f"/admin/programmes/PARK/statements/{statement_id}/split",
        data={**data, "csrf_token": csrf_of(page.text), "back": "show=all"},
    )


def _rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


async def test_the_quality_page_suggests_the_split(services: Services) -> None:
    """A statement with several ideas is flagged and its split form is filled in."""
    await _programme(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        page = await http.get("/admin/programmes/PARK/quality")
    assert "Several ideas on one card" in page.text
    assert "Which part keeps the pick?" in page.text
    for part in PARTS:
        assert f">{part}</textarea>" in page.text


async def test_split_keeps_the_original_moves_the_pick_and_is_audited(
    services: Services,
) -> None:
    """Parts share the original's response, category and language; the pick moves as chosen."""
    original_id = await _programme(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        answer = await _split(http, original_id, {"part": [*PARTS, ""], "pick_to": "3"})
        assert answer.status_code == 303
        view = await http.get("/admin/programmes/PARK/quality?show=split")
        reference = view.text.split("/admin/participants?reference=")[1].split('"')[0]
        person = await http.get(f"/admin/participants?reference={reference}")
    async with services.sessions() as session:
        original = await session.get(Statement, original_id)
        parts = list(
            (
                await session.execute(
                    select(Statement)
                    .where(Statement.split_from_id == original_id)
                    .order_by(Statement.position)
                )
            ).scalars()
        )
        picks = {p.statement_id: p.rank for p in (await session.execute(select(Pick))).scalars()}
        entry = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "statement.split"))
        ).scalar_one()
    assert original is not None and original.split and original.text == SEVERAL
    assert [p.text for p in parts] == PARTS
    for part in parts:
        assert (part.response_id, part.category, part.language) == (
            original.response_id,
            "working",
            "cy",
        )
    assert original_id not in picks
    assert picks[parts[2].id] == 1  # the original's rank, on the part the reviewer chose
    assert entry.detail == {
        "statement_id": original_id,
        "parts": [p.id for p in parts],
        "pick_moved_to": parts[2].id,
    }
    assert entry.actor == "lead@example.org"
    assert "Split into 3 parts" in view.text
    assert "split by a reviewer into parts; not exported" in person.text
    assert person.text.count("part of a split statement") == 3


async def test_exports_after_a_split_show_the_parts_and_the_moved_pick(
    services: Services,
) -> None:
    """Every statement: the parts, never the original. Picks only: the chosen part."""
    original_id = await _programme(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        await _split(http, original_id, {"part": PARTS, "pick_to": "2"})
        every = _rows((await http.get("/admin/programmes/PARK/export/csv?all=true")).content)
        picks = _rows((await http.get("/admin/programmes/PARK/export/csv")).content)
        cards = await http.get("/admin/programmes/PARK/export/file?format=cards")
    texts = [row["card_text"] for row in every]
    assert SEVERAL not in texts
    assert all(part in texts for part in PARTS)
    assert len(every) == 5  # three parts and the two other statements
    part_rows = [row for row in every if row["card_text"] in PARTS]
    assert {(r["perspective"], r["segment"], r["language"]) for r in part_rows} == {
        ("carer", "homecare", "cy")
    }
    assert sorted((r["card_text"], r["pick_rank"]) for r in picks) == [
        ("The dinners are cold", "1"),
        ("The garden is lovely", "2"),
    ]
    pdf_text = " ".join(page_texts(cards.content))
    assert "The dinners are cold" in pdf_text and "the staff are kind but" not in pdf_text


async def test_a_split_needs_two_parts_and_a_home_for_the_pick(services: Services) -> None:
    """One part, or no part chosen for the pick, is a 400 and changes nothing."""
    original_id = await _programme(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        one = await _split(http, original_id, {"part": [SEVERAL, "", ""], "pick_to": "1"})
        no_pick = await _split(http, original_id, {"part": PARTS})
        empty_pick = await _split(http, original_id, {"part": [*PARTS, ""], "pick_to": "4"})
    for answer in (one, no_pick, empty_pick):
        assert answer.status_code == 400
    async with services.sessions() as session:
        original = await session.get(Statement, original_id)
        count = len(list((await session.execute(select(Statement))).scalars()))
    assert original is not None and not original.split
    assert count == 3


async def test_a_statement_is_split_once_and_only_in_its_programme(services: Services) -> None:
    """Splitting again is refused; a statement of another programme is not found."""
    original_id = await _programme(services)
    other = await make_programme(services, "OTHER")
    await assisted(services, other, {"working": ["I like tea. I want more trips out."]})
    async with services.sessions() as session:
        theirs = (
            await session.execute(select(Statement.id).where(Statement.programme_id == other.id))
        ).scalar_one()
    async with signed_in(services, "lead@example.org", "admin") as http:
        first = await _split(http, original_id, {"part": PARTS, "pick_to": "1"})
        again = await _split(http, original_id, {"part": PARTS, "pick_to": "1"})
        foreign = await _split(http, theirs, {"part": ["I like tea", "More trips out"]})
    assert first.status_code == 303
    assert again.status_code == 400
    assert foreign.status_code == 404
