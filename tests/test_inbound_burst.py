"""Accept, then answer: a burst is stored and answered at once, and every reply follows in order.

The webhooks run in-process against the real intake and store; the replies that
miss the HTTP answer go out through the real outbox dispatcher to Prism serving
Twilio's own OpenAPI description (behind a recording proxy). No test measures
time: budgets of 0 (never wait) or a step held on an event force the path tested.
Runs on SQLite, and on PostgreSQL when WTFC_TEST_DATABASE_URL points at one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from collection import inbound_queue, routing
from collection.inbound_workers import InboundWorkers
from collection.models import InboundLog, OutboxMessage, Statement
from collection.outbox import Dispatcher
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.broken_step import break_the_step_of
from tests.support.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.support.prism import prism_fixture, twilio_spec
from tests.support.twilio_client import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    OUR_NUMBER,
    TwilioWebhookClient,
    new_sid,
)
from wtfc.app import build_senders, build_services, close_senders, create_app

PUBLIC = "https://wtfc.example.org"

twilio_prism = prism_fixture(twilio_spec, name="twilio_prism")
twilio_proxy = fault_proxy_fixture("twilio_prism", name="twilio_proxy")

SCRIPT = [
    ("PARK", "Hello from Park Centre"),
    ("YES", "Are you answering 1) for yourself"),
    ("1", "What is working well for you?"),
    ("first {who}", "That's 1 so far"),
    ("second {who}", "That's 2 so far"),
    ("third {who}", "That's 3 so far"),
    ("DONE", "Which TWO matter most to you?"),
]
"""What each person sends, and words of the reply it gets, in order."""


@dataclass
class Rig:
    """The app with Twilio on (replies through Prism), and its workers driven by the test."""

    services: Services
    client: TwilioWebhookClient
    twilio: FaultProxy

    async def count(self, *conditions: Any) -> int:
        async with self.services.sessions() as session:
            found = await session.scalar(
                select(func.count()).select_from(InboundLog).where(*conditions)
            )
            return int(found or 0)

    async def run_background(self, workers: int = 3) -> None:
        """Inbound workers and the outbox dispatcher, until nothing is pending or queued."""
        stop = asyncio.Event()
        dispatcher = Dispatcher(
            self.services.sessions, self.services.vault, build_senders(self.services), batch=20
        )

        async def watch() -> None:
            while True:
                await asyncio.sleep(0.05)
                async with self.services.sessions() as session:
                    waiting = await session.scalar(
                        select(func.count())
                        .select_from(OutboxMessage)
                        .where(OutboxMessage.status.in_(("queued", "sending")))
                    )
                if not waiting and not await self.count(InboundLog.status == "pending"):
                    stop.set()
                    return

        running = InboundWorkers(self.services.intake, count=workers, idle=0.05)
        await asyncio.wait_for(
            asyncio.gather(watch(), running.run(stop), dispatcher.run_forever(stop, idle=0.05)),
            timeout=120,
        )
        await close_senders(self.services)

    def sent_to(self, number: str) -> list[str]:
        """The SMS bodies Twilio was asked to send to `number`, in arrival order."""
        return [
            r.form.get("Body", "")
            for r in sorted(self.twilio.requests, key=lambda r: r.at)
            if r.path.endswith("/Messages.json") and r.form.get("To") == number
        ]


@pytest.fixture
async def rig(
    settings: Settings, services: Services, twilio_proxy: FaultProxy
) -> AsyncIterator[Rig]:
    twilio_proxy.reset()
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park Centre", code="PARK")
    ours = settings.model_copy(
        update={
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": AUTH_TOKEN,
            "twilio_from": OUR_NUMBER,
            "twilio_api_base_url": twilio_proxy.base_url,
            "twilio_mps": 200.0,
            "public_url": PUBLIC,
            "inline_budget_ms": 0,
        }
    )
    built = build_services(ours)
    # The budget's clock stands still: storing takes none of a test's budget however busy
    # the machine, so a held step is always tried inline and misses by the test's design
    # (how storing's time counts against the budget: tests/test_inbound_busy.py).
    built.intake.monotonic = lambda: 0.0
    app = create_app(ours, services=built, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as http:
        yield Rig(built, TwilioWebhookClient(http, signed_base=PUBLIC), twilio_proxy)
    await built.close()


def in_order(bodies: list[str], phrases: list[str]) -> bool:
    """Each phrase is found in `bodies`, each in a later message than the one before."""
    at = -1
    for phrase in phrases:
        later = [i for i, body in enumerate(bodies) if i > at and phrase in body]
        if not later:
            return False
        at = later[0]
    return True


async def test_a_burst_is_stored_and_answered_before_any_step_then_every_reply_follows_in_order(
    rig: Rig,
) -> None:
    """Every webhook of a burst answers at once; workers then reply to each person in order."""
    people = [f"+4477009{n:05d}" for n in range(8)]
    sids = {p: [new_sid() for _ in SCRIPT] for p in people}

    async def converse(person: str) -> None:
        for (text, _), sid in zip(SCRIPT, sids[person], strict=True):
            answer = await rig.client.text(text.format(who=person[-3:]), sender=person, sid=sid)
            assert answer.status == 200
            assert answer.messages == []  # stored; the replies follow by the REST API

    await asyncio.gather(*(converse(p) for p in people))
    total = len(people) * len(SCRIPT)
    # Every webhook was answered while no step had run: the answer waits for nothing.
    assert await rig.count(InboundLog.status == "pending") == total

    await rig.run_background(workers=3)

    assert await rig.count(InboundLog.status == "done") == total
    async with rig.services.sessions() as session:
        statements = (
            await session.execute(select(Statement.text, Statement.position).order_by(Statement.id))
        ).all()
    for person in people:
        mine = [(t, pos) for t, pos in statements if t.endswith(person[-3:])]
        assert mine == [
            (f"{w} {person[-3:]}", n) for n, w in enumerate(["first", "second", "third"], 1)
        ]
        bodies = rig.sent_to(person)
        assert in_order(bodies, [phrase for _, phrase in SCRIPT]), bodies
        assert sum("That's 1 so far" in b for b in bodies) == 1  # each reply sent once
    assert all(r.valid for r in rig.twilio.requests)


async def test_a_step_over_budget_answers_empty_and_its_replies_go_by_the_outbox_once(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow step: the webhook answers within its budget, the replies follow by REST once."""
    release = asyncio.Event()
    real_route = routing.route

    async def held_route(**kwargs: Any) -> routing.Route:
        await release.wait()
        return await real_route(**kwargs)

    monkeypatch.setattr(routing, "route", held_route)
    rig.services.intake.inline_budget = 0.05
    rig.services.intake.busy_seconds = 0  # the next message is tried inline again at once
    sid = new_sid()
    answer = await rig.client.text("PARK", sid=sid)
    assert answer.status == 200 and answer.messages == []  # answered while the step is held
    release.set()
    await wait_until(lambda: rig.count(InboundLog.status == "done"), 1)
    async with rig.services.sessions() as session:
        row = await inbound_queue.find(session, "sms", sid)
        queued = list(await session.scalars(select(OutboxMessage.payload)))
    assert row is not None and row.reply_via == "outbox"
    assert [p["key"] for p in queued] == ["welcome", "ask_consent"]

    replay = await rig.client.text("PARK", sid=sid)  # Twilio replays the same MessageSid
    assert replay.messages == []  # the reply is on its way by REST: not a second copy here

    rig.services.intake.inline_budget = 60.0  # a step that finishes in time answers in TwiML
    answer = await rig.client.text("YES")
    assert "Are you answering 1) for yourself" in answer.said
    async with rig.services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    await rig.run_background()
    assert len(rig.sent_to("+447700900123")) == 2
    assert "Hello from Park Centre" in rig.sent_to("+447700900123")[0]


async def test_after_a_step_missed_its_budget_the_next_messages_are_not_even_tried_inline(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a burst, once one step is late, new messages are answered at once, unprocessed."""
    release = asyncio.Event()
    real_route = routing.route

    async def held_route(**kwargs: Any) -> routing.Route:
        await release.wait()
        return await real_route(**kwargs)

    monkeypatch.setattr(routing, "route", held_route)
    rig.services.intake.inline_budget = 0.05
    rig.services.intake.busy_seconds = 3600
    assert (await rig.client.text("PARK", sender="+447700900301")).messages == []
    release.set()
    rig.services.intake.inline_budget = 60.0  # would be plenty: it is not even tried
    sid = new_sid()
    answer = await rig.client.text("PARK", sender="+447700900302", sid=sid)
    assert answer.status == 200 and answer.messages == []
    async with rig.services.sessions() as session:
        row = await inbound_queue.find(session, "sms", sid)
    assert row is not None and row.status == "pending"  # left to the workers
    await rig.run_background()
    assert "Hello from Park Centre" in rig.sent_to("+447700900302")[0]


async def test_the_web_chat_says_pending_and_the_page_picks_the_replies_up(rig: Rig) -> None:
    """A pending web chat message is polled for; only its own browser session may read it."""
    http = rig.client.http
    session, message = (
        "0b5f0f5e-7c1a-4e37-9d55-7a8f3f3c1b11",
        "6a1f8c2e-2f4d-4c4b-8a55-1e2d3c4b5a69",
    )
    answer = await http.post(
        "/chat/messages",
        json={"code": "PARK", "session": session, "message_id": message, "kind": "join"},
    )
    assert answer.status_code == 200 and answer.json()["pending"] is True
    poll = await http.get(f"/chat/messages/{message}", params={"session": session})
    assert poll.json()["pending"] is True and poll.json()["replies"] == []
    await InboundWorkers(rig.services.intake).drain()
    poll = await http.get(f"/chat/messages/{message}", params={"session": session})
    assert poll.json()["pending"] is False
    assert "Hello from Park Centre" in poll.json()["replies"][0]["text"]
    other = await http.get(
        f"/chat/messages/{message}", params={"session": "11111111-2222-4333-8444-555555555555"}
    )
    assert other.status_code == 404


async def test_a_message_whose_step_keeps_failing_is_set_aside_and_holds_nobody_up(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step that raises a bug sets its message aside at once (one attempt, not a retry
    loop); the others behind it go through."""
    bad, good = new_sid(), new_sid()
    await rig.client.text("PARK", sender="+447700900201", sid=bad)
    await rig.client.text("PARK", sender="+447700900202", sid=good)
    break_the_step_of(monkeypatch, rig.services.vault.lookup_hash("+447700900201"))
    with pytest.raises(RuntimeError):
        await rig.services.intake.process_next()
    assert await rig.services.intake.process_next()  # the next person's message goes through
    assert not await rig.services.intake.process_next()  # and the bad one is not taken again
    async with rig.services.sessions() as session:
        failed = await inbound_queue.find(session, "sms", bad)
        done = await inbound_queue.find(session, "sms", good)
    assert failed is not None and (failed.status, failed.attempts) == ("failed", 1)
    assert done is not None and done.status == "done"


async def test_a_failing_step_in_a_workers_batch_costs_the_others_nothing(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker takes several people's messages in one transaction. When the middle one's
    step raises, the whole batch is rolled back: that message is set aside after its one
    attempt, and the people before and after it are processed again and answered once."""
    people = ["+447700900211", "+447700900212", "+447700900213"]
    for person in people:
        await rig.client.text("PARK", sender=person, sid=new_sid())
    broken = break_the_step_of(monkeypatch, rig.services.vault.lookup_hash(people[1]))
    with pytest.raises(RuntimeError):  # the first person's step ran, then this one raised
        await rig.services.intake.process_next(limit=8)
    assert await rig.count(InboundLog.status == "done") == 0  # nothing of that batch kept
    assert await rig.services.intake.process_next(limit=8) == 2
    await rig.run_background(workers=1)

    assert broken.attempts == 1
    assert await rig.count(InboundLog.status == "failed") == 1
    for person in (people[0], people[2]):
        assert sum("Hello from Park Centre" in b for b in rig.sent_to(person)) == 1
    assert rig.sent_to(people[1]) == []


async def test_a_worker_takes_one_message_per_person_a_batch_and_keeps_each_in_order(
    rig: Rig,
) -> None:
    """Two people's three messages each, all pending: a batch takes each person's oldest
    only, so every step sees the one before it done, and the replies come in order."""
    people = ["+447700900221", "+447700900222"]
    for text, _ in SCRIPT[:3]:
        for person in people:
            await rig.client.text(text, sender=person, sid=new_sid())
    assert await rig.services.intake.process_next(limit=8) == 2
    assert await rig.count(InboundLog.status == "pending") == 4
    assert await rig.services.intake.process_next(limit=8) == 2
    assert await rig.services.intake.process_next(limit=8) == 2
    assert await rig.services.intake.process_next(limit=8) == 0
    await rig.run_background(workers=1)
    for person in people:
        assert in_order(rig.sent_to(person), [phrase for _, phrase in SCRIPT[:3]])


async def wait_until(count: Callable[[], Awaitable[int]], expected: int) -> None:
    async with asyncio.timeout(30):
        while await count() < expected:
            await asyncio.sleep(0.02)
