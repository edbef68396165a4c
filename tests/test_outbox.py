"""The outbox dispatcher: no double sends with several dispatchers, order, retries, pacing."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select, update

from bot.model import Reply
from collection.models import OutboxMessage, Participant
from collection.outbox import Dispatcher, Outgoing, SendResult, queue_reply
from collection.pacing import FakePaceClock
from collection.participants import get_locked
from collection.runtime import Services


@dataclass
class RecordingSender:
    """Stands in for a provider's servers: records sends, answers as told."""

    pace_key: str = "test"
    messages_per_second: float = 1000.0
    answers: list[SendResult] = field(default_factory=list)
    sent: list[tuple[int, str, float]] = field(default_factory=list)

    async def send(self, message: Outgoing) -> SendResult:
        await asyncio.sleep(0.002)
        self.sent.append((message.id, message.reply.key, time.monotonic()))
        return self.answers.pop(0) if self.answers else SendResult(ok=True, provider_id="X")


async def _queue(services: Services, people: int, each: int) -> None:
    async with services.sessions() as session, session.begin():
        for person in range(people):
            participant = await get_locked(
                session=session,
                vault=services.vault,
                channel="sms",
                address=f"+4477009{person:05d}",
            )
            assert participant is not None
            for n in range(each):
                queue_reply(
                    session=session,
                    channel="sms",
                    participant_id=participant.id,
                    reply=Reply(key=f"m{n}"),
                    language="en",
                    kind="reply",
                )


async def _drain(dispatcher: Dispatcher) -> None:
    while await dispatcher.run_once():
        pass


async def test_several_dispatchers_never_send_a_message_twice(services: Services) -> None:
    """Four dispatchers at once: every message sent exactly once, each person's in order."""
    await _queue(services, people=10, each=5)
    sender = RecordingSender()
    dispatchers = [
        Dispatcher(services.sessions, services.vault, {"sms": sender}, batch=3) for _ in range(4)
    ]
    for _ in range(30):
        await asyncio.gather(*(_drain(d) for d in dispatchers))
    ids = [row_id for row_id, _, _ in sender.sent]
    assert len(ids) == 50 and len(set(ids)) == 50
    async with services.sessions() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
    assert {row.status for row in rows} == {"sent"}
    by_person: dict[int | None, list[tuple[float, int]]] = {}
    sent_at = {row_id: at for row_id, _, at in sender.sent}
    for row in rows:
        by_person.setdefault(row.participant_id, []).append((sent_at[row.id], row.id))
    for sends in by_person.values():
        assert [row_id for _, row_id in sorted(sends)] == sorted(row_id for _, row_id in sends)


async def test_failures_retry_with_backoff_and_permanent_errors_end(services: Services) -> None:
    """429/5xx are retried later; a permanent error ends the message with its reason."""
    await _queue(services, people=2, each=1)
    sender = RecordingSender(
        answers=[
            SendResult(ok=False, retry=True, error="429: too many requests"),
            SendResult(ok=False, retry=False, error="21211: invalid 'To' number"),
        ]
    )
    now = datetime.now(UTC)
    clock = [now]
    dispatcher = Dispatcher(
        services.sessions, services.vault, {"sms": sender}, clock=lambda: clock[0]
    )
    await _drain(dispatcher)
    async with services.sessions() as session:
        rows = (
            (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id)))
            .scalars()
            .all()
        )
    assert [r.status for r in rows] == ["queued", "failed"]
    assert rows[0].next_attempt_at > now and rows[1].last_error == "21211: invalid 'To' number"
    assert await dispatcher.run_once() == 0  # not due yet
    clock[0] = now + timedelta(minutes=2)
    await _drain(dispatcher)
    async with services.sessions() as session:
        first = await session.get(OutboxMessage, rows[0].id)
    assert first is not None and first.status == "sent" and first.attempts == 2


async def test_provider_opt_out_marks_the_person_and_cancels_the_rest(services: Services) -> None:
    """21610 (the person texted STOP to the carrier): opted out, nothing more is sent."""
    await _queue(services, people=1, each=3)
    sender = RecordingSender(answers=[SendResult(ok=False, opted_out=True, error="21610")])
    await _drain(Dispatcher(services.sessions, services.vault, {"sms": sender}))
    async with services.sessions() as session:
        statuses = (
            (await session.execute(select(OutboxMessage.status).order_by(OutboxMessage.id)))
            .scalars()
            .all()
        )
        opted_out = (await session.execute(select(Participant.opted_out))).scalar_one()
    assert statuses == ["failed", "cancelled", "cancelled"]
    assert opted_out and len(sender.sent) == 1


async def test_a_message_left_sending_by_a_crash_is_sent_again(services: Services) -> None:
    """A row stuck in 'sending' (its process died) is put back and sent on restart."""
    await _queue(services, people=1, each=1)
    async with services.sessions() as session, session.begin():
        await session.execute(
            update(OutboxMessage).values(
                status="sending", claimed_at=datetime.now(UTC) - timedelta(minutes=10)
            )
        )
    sender = RecordingSender()
    dispatcher = Dispatcher(services.sessions, services.vault, {"sms": sender})
    assert await dispatcher.recover_stuck() == 1
    await _drain(dispatcher)
    assert len(sender.sent) == 1


async def test_pace_limit_holds_across_dispatchers(services: Services) -> None:
    """Two dispatchers sharing a 20 msg/s limit never send faster than 20 msg/s together."""
    await _queue(services, people=20, each=1)
    sender = RecordingSender(messages_per_second=20)
    clock = FakePaceClock()  # the schedule itself, however busy the machine is
    dispatchers = [
        Dispatcher(services.sessions, services.vault, {"sms": sender}, batch=2, pace_clock=clock)
        for _ in range(2)
    ]
    await asyncio.gather(*(_drain(d) for d in dispatchers))
    assert len(sender.sent) == 20
    slots = sorted(clock.released)
    assert len(slots) == 20
    # One slot every 1/20 s between the two of them, none shared: 20 in any second.
    assert all(b - a >= 1 / 20 - 1e-9 for a, b in itertools.pairwise(slots))
    assert slots[-1] - slots[0] >= 19 / 20 - 1e-9


@dataclass
class GatedSender(RecordingSender):
    """Holds every send until `people` of them are waiting, then answers them all at once."""

    people: int = 0
    waiting: int = 0
    gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, message: Outgoing) -> SendResult:
        self.waiting += 1
        if self.waiting == self.people:
            self.gate.set()
        await self.gate.wait()
        self.sent.append((message.id, message.reply.key, time.monotonic()))
        return SendResult(ok=True, provider_id=f"SM{message.id}")


async def test_answers_that_come_together_are_recorded_together(services: Services) -> None:
    """Twenty answers at once: every row is recorded sent, with its own SID, when the call
    returns, in a few transactions rather than twenty (a burst's replies cost less)."""
    await _queue(services, people=20, each=1)
    sender = GatedSender(people=20)
    dispatcher = Dispatcher(services.sessions, services.vault, {"sms": sender}, batch=20)
    commits: list[int] = []
    engine = services.engine.sync_engine
    listener = lambda _connection: commits.append(1)  # noqa: E731
    event.listen(engine, "commit", listener)
    try:
        assert await dispatcher.run_once() == 20
    finally:
        event.remove(engine, "commit", listener)
    async with services.sessions() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
    assert {(row.status, row.provider_id) for row in rows} == {
        ("sent", f"SM{row.id}") for row in rows
    }
    # The claim, the prepare, and the records: far fewer than one transaction per send.
    assert len(commits) <= 5
