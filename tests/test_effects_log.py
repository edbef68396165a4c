"""Every change to what a person told us is kept as effects, and replaying them rebuilds it.

Conversations go through the real intake (inline, and by the background workers),
assisted entry through `record_assisted`, expiry through the timers; the test then
compares what is stored (statements, picks, status, language...) with what
`replay_response` rebuilds from the log alone.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot import answers, engine, history
from bot.history import Replayed
from bot.model import Category, Context, Effect, Inbound
from collection import erasure
from collection.effects import replay_response
from collection.intake import InboundMessage
from collection.models import InboundLog, Participant, Pick, Response, Statement
from collection.runtime import Services
from collection.safeguarding.rules import rules_for
from collection.timers import Timers
from tests.support.admin import assisted, make_programme

PHONE = "+447700900123"
START = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)

CONVERSATION = (
    "PARK",
    "YES",
    "Cymraeg",  # the response's language follows the conversation
    "1",
    "2",  # a segment
    "The bus is late",
    "Friendly staff",
    "BACK",  # undoes "Friendly staff"
    "The garden",
    "Kind people",
    "DONE",
    "1 3",  # the two that matter most
    "English",
    "Parking is hard",
    "DONE",  # one statement: its own pick
    "SKIP",
    "YES",  # the summary is right
    "YES",  # happy to hear back
    "CHANGE",  # reopened
    "3",
    "More trips out",
    "DONE",
    "YES",
    "STOP",
    "START",
)


async def _park(services: Services, code: str = "PARK") -> None:
    await make_programme(
        services,
        code,
        languages=["en", "cy"],
        segments=[{"name": "Young people"}, {"name": "Older people"}],
    )


async def _say(services: Services, *lines: str, budget: float | None = None) -> None:
    for n, line in enumerate(lines):
        message = InboundMessage(channel="sms", address=PHONE, text=line, external_id=f"SM{n}")
        await services.intake.handle(message, budget=budget)


async def _stored(services: Services, response_id: int) -> Replayed:
    """The response as the tables hold it, in the shape `replay` rebuilds."""
    async with services.sessions() as session:
        response = await session.get(Response, response_id)
        assert response is not None
        statements = (
            await session.execute(select(Statement).where(Statement.response_id == response_id))
        ).scalars()
        by_id: dict[int, Statement] = {}
        stored = Replayed(
            status=response.status,
            language=response.language,
            perspective=response.perspective,
            segment=response.segment,
            follow_up=response.follow_up,
            consent_version=response.consent_version,
        )
        for s in statements:
            by_id[s.id] = s
            category: Category = s.category  # type: ignore[assignment]
            stored.statements[(category, s.position)] = (s.text, s.language, tuple(s.flags))
        picks = (
            await session.execute(
                select(Pick).where(Pick.response_id == response_id).order_by(Pick.rank)
            )
        ).scalars()
        for pick in picks:
            key: Category = pick.category  # type: ignore[assignment]
            stored.picks[key] = (*stored.picks.get(key, ()), by_id[pick.statement_id].position)
        return stored


async def _replayed(services: Services, response_id: int) -> Replayed:
    async with services.sessions() as session:
        response = await session.get(Response, response_id)
        assert response is not None
        return await replay_response(session=session, response=response)


async def _responses(services: Services) -> list[Response]:
    async with services.sessions() as session:
        return list((await session.execute(select(Response).order_by(Response.id))).scalars())


async def _all_effects(services: Services) -> list[dict[str, Any]]:
    async with services.sessions() as session:
        rows = await session.execute(select(InboundLog.effects).order_by(InboundLog.id))
        return [entry for (entries,) in rows.all() for entry in entries]


async def test_replaying_a_conversation_rebuilds_the_response(services: Services) -> None:
    """After a whole conversation (languages, BACK, picks, CHANGE, STOP and START), the
    effects kept with the messages rebuild exactly what is stored."""
    await _park(services)
    await _say(services, *CONVERSATION)
    [response] = await _responses(services)
    stored = await _stored(services, response.id)
    assert stored.status == "complete" and stored.follow_up is True
    assert stored.segment == "Older people" and stored.perspective == "person"
    assert [(k, t[0], t[1]) for k, t in sorted(stored.statements.items())] == [
        (("future", 1), "More trips out", "en"),
        (("not_working", 1), "Parking is hard", "en"),
        (("working", 1), "The bus is late", "cy"),
        (("working", 2), "The garden", "cy"),
        (("working", 3), "Kind people", "cy"),
    ]
    assert stored.picks == {"working": (1, 3), "not_working": (1,), "future": (1,)}
    assert await _replayed(services, response.id) == stored


async def test_messages_processed_in_the_background_keep_their_effects_too(
    services: Services,
) -> None:
    """With no inline budget every message is processed by a worker: the same record."""
    await _park(services)
    await _say(services, *CONVERSATION[:12], budget=0)
    while await services.intake.process_next():
        pass
    [response] = await _responses(services)
    stored = await _stored(services, response.id)
    assert stored.picks == {"working": (1, 3)}
    assert await _replayed(services, response.id) == stored
    async with services.sessions() as session:
        row = await session.scalar(select(InboundLog).where(InboundLog.external_id == "SM8"))
    assert row is not None and row.status == "done"
    assert row.effects == [
        {
            "type": "AddStatement",
            "category": "working",
            "position": 2,
            "text": "The garden",
            "flags": [],
            "response": response.id,
        }
    ]


async def test_the_conversation_left_for_another_programme_is_paused_in_its_history(
    services: Services,
) -> None:
    """JOIN OAK mid-conversation pauses the PARK response; its replay says so too."""
    await _park(services)
    await _park(services, "OAK")
    await _say(services, "PARK", "YES", "1", "2", "Going out", "JOIN OAK", "YES")
    park, oak = await _responses(services)
    assert (await _stored(services, park.id)).status == "partial"
    for response in (park, oak):
        assert await _replayed(services, response.id) == await _stored(services, response.id)


async def test_stop_in_the_lobby_is_an_effect_on_its_log_row(services: Services) -> None:
    """STOP from an address in no conversation opts it out, recorded with no address."""
    await _say(services, "STOP")
    async with services.sessions() as session:
        participant = (await session.execute(select(Participant))).scalar_one()
        row = (await session.execute(select(InboundLog))).scalar_one()
    assert participant.opted_out
    assert row.effects == [{"type": "OptedOut", "response": None}]


async def test_no_address_is_ever_in_the_record(services: Services) -> None:
    await _park(services)
    await _say(services, *CONVERSATION)
    record = json.dumps(await _all_effects(services))
    assert PHONE not in record and PHONE[1:] not in record and "The garden" in record


async def test_assisted_entry_is_stored_as_the_effects_of_a_conversation(
    services: Services,
) -> None:
    """Typed in by staff: kept on a log row of its own, and the replay rebuilds it."""
    park = await make_programme(services, "PARK")
    response = await assisted(
        services,
        park,
        {"working": ["The garden", "Kind people", "Tea"], "future": ["More trips"]},
        picks={"working": [3, 1]},
        perspective="carer",
    )
    stored = await _stored(services, response.id)
    assert stored.status == "complete" and stored.follow_up is False
    assert stored.picks == {"working": (3, 1), "future": (1,)}
    assert await _replayed(services, response.id) == stored
    async with services.sessions() as session:
        row = (await session.execute(select(InboundLog))).scalar_one()
    assert row.channel == "assisted" and row.participant_id is None
    assert row.response_id == response.id


async def test_a_response_closed_by_the_timer_replays_as_partial(services: Services) -> None:
    await _park(services)
    services.intake.clock = lambda: START
    await _say(services, "PARK", "YES", "1", "2", "Going out")
    assert await Timers(services.sessions).close_quiet(START + timedelta(days=8)) == 1
    [response] = await _responses(services)
    stored = await _stored(services, response.id)
    assert stored.status == "partial"
    assert await _replayed(services, response.id) == stored


async def test_delete_empties_the_record_of_everything_the_person_said(
    services: Services,
) -> None:
    """DELETE then YES: no effect keeps a word of theirs; the record only says it happened."""
    await _park(services)
    await _say(services, *CONVERSATION[:12])
    assert "The garden" in json.dumps(await _all_effects(services))
    await services.intake.handle(InboundMessage(channel="sms", address=PHONE, text="DELETE"))
    await services.intake.handle(InboundMessage(channel="sms", address=PHONE, text="YES"))
    assert await _all_effects(services) == [{"type": "EraseRequested", "response": None}]


async def test_erasing_an_assisted_response_empties_its_record(services: Services) -> None:
    park = await make_programme(services, "PARK")
    response = await assisted(services, park, {"working": ["The garden"]})
    async with services.sessions() as session, session.begin():
        await erasure.erase_response(session=session, response_id=response.id)
    assert await _all_effects(services) == []


def test_assisted_entry_builds_the_effects_a_conversation_would() -> None:
    """The same answers, typed in by staff or given in a conversation, replay the same."""
    context = Context(code="PARK", name="Park", safeguarding=rules_for([]))
    state: dict[str, object] | None = None
    said: list[Effect] = []
    for line in ("PARK", "YES", "1", "Tea", "Quiz", "Garden", "DONE", "3 1", "Buses", "DONE"):
        first = not state
        step = engine.step(state, Inbound(text=line), context)
        said += history.bookkeeping(
            first_step=first,
            language="en",
            status="active",
            state=step.state,
            effects=step.effects,
            opted_out=False,
        )
        said += step.effects
        state = step.state
    for line in ("SKIP", "YES", "NO"):  # no future; the summary is right; no hearing back
        step = engine.step(state, Inbound(text=line), context)
        said += step.effects
        state = step.state
    typed = answers.Entry(
        statements={"working": ["Tea", "Quiz", "Garden"], "not_working": ["Buses"]},
        picks={"working": [3, 1]},
        perspective="person",
    )
    conversation = history.replay(said)
    assert conversation.status == "complete" and conversation.picks["working"] == (3, 1)
    assert history.replay(answers.assisted_effects(typed, rules_for([]))) == conversation
