"""The one-transaction intake: replays, concurrency, routing and contact details at rest."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text

from collection import routing
from collection.intake import InboundMessage
from collection.models import InboundLog, Participant, Response, Statement
from collection.programmes import create_programme
from collection.runtime import Services

PHONE = "+447700900123"


async def _programme(services: Services, code: str = "PARK", **extra: object) -> None:
    async with services.sessions() as session, session.begin():
        await create_programme(
            session=session,
            name=f"{code} centre",
            code=code,
            purpose="We want to hear you.",
            **extra,
        )  # type: ignore[arg-type]


async def _send(
    services: Services, text_: str, sid: str | None = None, address: str = PHONE
) -> list[str]:
    result = await services.intake.handle(
        InboundMessage(channel="sms", address=address, text=text_, external_id=sid)
    )
    return [r.key for r in result.replies]


async def _count(services: Services, model: type) -> int:
    async with services.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _to_working(services: Services, address: str = PHONE) -> None:
    for message in ("PARK", "YES", "1"):
        await _send(services, message, address=address)


async def test_replayed_message_stores_nothing_twice_and_gets_the_same_reply(
    services: Services,
) -> None:
    """A webhook retried with the same external id changes nothing and answers the same."""
    await _programme(services)
    await _to_working(services)
    first = await _send(services, "The bus is late", sid="SM1")
    again = await _send(services, "The bus is late", sid="SM1")
    assert first == again == ["got_statement"]
    assert await _count(services, Statement) == 1
    assert await _count(services, InboundLog) == 4


async def test_two_messages_at_once_both_land_in_order(services: Services) -> None:
    """Two messages from one person handled at the same moment are both stored, in order."""
    await _programme(services)
    await _to_working(services)
    texts = [f"Thing number {n}" for n in range(1, 5)]
    await asyncio.gather(*(_send(services, t, sid=f"SM-{t}") for t in texts[:2]))
    await asyncio.gather(*(_send(services, t, sid=f"SM-{t}") for t in texts[2:]))
    async with services.sessions() as session:
        stored = (
            await session.execute(
                select(Statement.position, Statement.text).order_by(Statement.position)
            )
        ).all()
    assert [p for p, _ in stored] == [1, 2, 3, 4]
    assert sorted(t for _, t in stored) == texts


async def test_many_people_at_once_each_keep_their_own_answers(services: Services) -> None:
    """Concurrent conversations of different people do not mix or lose statements."""
    await _programme(services)
    people = [f"+4477009000{n:02d}" for n in range(8)]
    await asyncio.gather(*(_to_working(services, p) for p in people))
    await asyncio.gather(*(_send(services, f"{p} says hello", address=p) for p in people))
    assert await _count(services, Statement) == len(people)
    assert await _count(services, Response) == len(people)


async def test_phone_numbers_are_not_stored_in_clear(services: Services) -> None:
    """The database holds a keyed hash and ciphertext, never the number itself."""
    await _programme(services)
    await _to_working(services)
    async with services.sessions() as session:
        participant = (await session.execute(select(Participant))).scalar_one()
        dump = " ".join(
            str(v)
            for row in (await session.execute(text("SELECT * FROM participant"))).all()
            for v in row
        )
    assert PHONE not in dump and "7700900123" not in dump
    assert participant.address_encrypted is not None
    assert services.vault.decrypt(participant.address_encrypted) == PHONE


async def test_unknown_sender_is_offered_the_one_collecting_programme(services: Services) -> None:
    """Someone who texts anything but a code is offered the programme that is collecting."""
    await _programme(services)
    assert await _send(services, "hi there") == ["offer_programme"]
    await _programme(services, code="OAK")
    assert await _send(services, "hello?", address="+447700900999") == ["unknown_sender"]


async def test_code_joins_in_any_case_and_draft_programmes_are_not_joinable(
    services: Services,
) -> None:
    """A text that is a programme's code joins it; a draft programme cannot be joined yet."""
    await _programme(services)
    await _programme(services, code="LATER", status="draft")
    assert await _send(services, "pArK") == ["welcome", "ask_consent"]
    assert await _send(services, "later", address="+447700900555") == ["offer_programme"]


async def test_sending_the_code_again_mid_conversation_carries_on(services: Services) -> None:
    """The code sent again is not stored as an answer: the person is welcomed back."""
    await _programme(services)
    await _to_working(services)
    assert await _send(services, "PARK") == ["welcome_back", "ask_working"]
    assert await _count(services, Statement) == 0


async def test_one_number_can_take_part_in_several_programmes(services: Services) -> None:
    """JOIN OAK mid-conversation starts a new response; the first keeps its answers."""
    await _programme(services)
    await _programme(services, code="OAK")
    await _to_working(services)
    await _send(services, "Good staff")
    assert await _send(services, "OAK") == ["got_statement"]  # an answer, not a code
    assert await _send(services, "JOIN OAK") == ["switched_programme", "welcome", "ask_consent"]
    await _send(services, "YES")
    await _send(services, "1")
    await _send(services, "Nice garden")
    async with services.sessions() as session:
        rows = (
            await session.execute(
                select(Response.programme_id, func.count(Statement.id))
                .join(Statement, Statement.response_id == Response.id)
                .group_by(Response.programme_id)
            )
        ).all()
    assert sorted(n for _, n in rows) == [1, 2]


async def test_a_reference_already_taken_is_drawn_again_and_the_person_is_answered(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """References are random: when a draw names an existing response, the new one gets
    another draw, not a failed insert that left the person's first message unanswered."""
    await _programme(services)
    await _send(services, "PARK", address="+447700900401")
    async with services.sessions() as session:
        taken = (await session.execute(select(Response.reference))).scalar_one()
    draws = iter([taken, taken, "R-FRESH2"])
    monkeypatch.setattr(routing, "new_reference", lambda: next(draws))
    assert await _send(services, "PARK", address="+447700900402") == ["welcome", "ask_consent"]
    async with services.sessions() as session:
        references = (await session.execute(select(Response.reference))).scalars().all()
    assert sorted(references) == sorted([taken, "R-FRESH2"])


async def test_stop_from_an_unknown_number_opts_it_out(services: Services) -> None:
    """STOP works even before joining: afterwards nothing is sent until START."""
    await _programme(services)
    assert await _send(services, "STOP") == ["stopped"]
    assert await _send(services, "PARK") == []
    assert await _send(services, "START") == ["welcome_back", "ask_consent"]


async def test_a_person_who_stops_half_way_still_counts_as_partial(services: Services) -> None:
    """Statements are stored as they arrive: stopping half way leaves a partial response."""
    await _programme(services)
    await _to_working(services)
    await _send(services, "My key to my flat")
    await _send(services, "STOP")
    async with services.sessions() as session:
        response = (await session.execute(select(Response))).scalar_one()
    assert response.status == "partial"
    assert await _count(services, Statement) == 1


async def test_consent_is_recorded_with_the_wordings_version_and_time(services: Services) -> None:
    """YES to taking part stores which consent wording was shown and when."""
    await _programme(services, consent_version="2026-11")
    await _send(services, "PARK")
    async with services.sessions() as session:
        assert (await session.execute(select(Response.consented_at))).scalar_one() is None
    await _send(services, "YES")
    async with services.sessions() as session:
        version, at = (
            await session.execute(select(Response.consent_version, Response.consented_at))
        ).one()
    assert version == "2026-11" and at is not None


async def test_delete_by_the_person_erases_everything_and_is_audited(services: Services) -> None:
    """DELETE then YES: statements, response, contact and log text go; the audit log says so."""
    from collection.models import AuditEntry

    await _programme(services)
    await _to_working(services)
    await _send(services, "My support worker Jo")
    assert await _send(services, "DELETE") == ["ask_delete"]
    assert await _send(services, "YES") == ["deleted"]
    assert await _count(services, Statement) == 0
    assert await _count(services, Response) == 0
    assert await _count(services, Participant) == 0
    async with services.sessions() as session:
        texts = (await session.execute(select(InboundLog.text))).scalars().all()
        entry = (await session.execute(select(AuditEntry))).scalar_one()
    assert all(t is None for t in texts)
    assert entry.action == "participant.erase" and entry.target and entry.target.startswith("R-")
