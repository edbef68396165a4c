"""The dispatcher wakes when a reply is queued, and a pace key may allow a short burst."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field

from bot.model import Reply
from collection.outbox import Dispatcher, Outgoing, SendResult, queue_reply
from collection.pacing import FakePaceClock, take_slot
from collection.participants import get_locked
from collection.runtime import Services

AN_HOUR = 3600.0
"""An idle time no test waits out: finishing at all shows the dispatcher did not wait it."""
GUARD = 30.0
"""Only against a hang: far below AN_HOUR, far above any busy machine's delay."""


@dataclass
class _Sender:
    pace_key: str = "wake-test"
    messages_per_second: float = 1000.0
    sent: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, message: Outgoing) -> SendResult:
        self.sent.set()
        return SendResult(ok=True, provider_id="1")


def _idling(dispatcher: Dispatcher) -> asyncio.Event:
    """Set once the dispatcher found nothing to send (it idles next)."""
    idle = asyncio.Event()
    run_once = dispatcher.run_once

    async def watched(*, wait: bool = True) -> int:
        sent = await run_once(wait=wait)
        if not sent:
            idle.set()
        return sent

    dispatcher.run_once = watched  # type: ignore[method-assign]
    return idle


async def test_a_woken_dispatcher_sends_without_waiting_out_its_idle_time(
    services: Services,
) -> None:
    """With an hour's idle, a queued reply still goes out at once when the dispatcher is woken."""
    sender = _Sender()
    dispatcher = Dispatcher(services.sessions, services.vault, {"telegram": sender})
    idle = _idling(dispatcher)
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run_forever(stop, idle=AN_HOUR))
    await asyncio.wait_for(idle.wait(), timeout=GUARD)
    async with services.sessions() as session, session.begin():
        participant = await get_locked(
            session=session, vault=services.vault, channel="telegram", address="5012345678"
        )
        assert participant is not None
        queue_reply(
            session=session,
            channel="telegram",
            participant_id=participant.id,
            reply=Reply(key="help"),
            language="en",
            kind="reply",
        )
    dispatcher.wake.set()
    try:
        await asyncio.wait_for(sender.sent.wait(), timeout=GUARD)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=GUARD)


async def test_a_stopped_dispatcher_ends_during_its_idle_time(services: Services) -> None:
    """Stopping does not wait for the idle timeout either."""
    dispatcher = Dispatcher(services.sessions, services.vault, {"telegram": _Sender()})
    idle = _idling(dispatcher)
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run_forever(stop, idle=AN_HOUR))
    await asyncio.wait_for(idle.wait(), timeout=GUARD)
    stop.set()
    await asyncio.wait_for(task, timeout=GUARD)


async def test_a_burst_goes_at_once_and_then_the_interval_applies(services: Services) -> None:
    """burst=3, 1 s apart: three slots now, the fourth a second later, the fifth two."""
    clock = FakePaceClock()
    slots = [
        await take_slot(services.sessions, "burst-test", 1.0, burst=3, clock=clock)
        for _ in range(5)
    ]
    assert [slot - clock.now for slot in slots] == [0, 0, 0, 1, 2]


async def test_without_burst_every_slot_is_one_interval_after_the_last(
    services: Services,
) -> None:
    """The default (burst 1) is the plain limit the other senders rely on."""
    clock = FakePaceClock()
    slots = [await take_slot(services.sessions, "plain-test", 0.5, clock=clock) for _ in range(3)]
    assert [b - a for a, b in itertools.pairwise(slots)] == [0.5, 0.5]
