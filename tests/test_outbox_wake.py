"""The dispatcher wakes when a reply is queued, and a pace key may allow a short burst."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field

from bot.model import Reply
from collection.outbox import Dispatcher, Outgoing, SendResult, queue_reply
from collection.pacing import take_slot
from collection.participants import get_locked
from collection.runtime import Services


@dataclass
class _Sender:
    pace_key: str = "wake-test"
    messages_per_second: float = 1000.0
    sent: list[float] = field(default_factory=list)

    async def send(self, message: Outgoing) -> SendResult:
        self.sent.append(time.monotonic())
        return SendResult(ok=True, provider_id="1")


async def test_a_woken_dispatcher_sends_without_waiting_out_its_idle_time(
    services: Services,
) -> None:
    """With a 30 s idle, a queued reply still goes out at once when the dispatcher is woken."""
    sender = _Sender()
    dispatcher = Dispatcher(services.sessions, services.vault, {"telegram": sender})
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run_forever(stop, idle=30.0))
    await asyncio.sleep(0.2)  # now idling
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
    queued_at = time.monotonic()
    dispatcher.wake.set()
    for _ in range(100):
        if sender.sent:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert sender.sent and sender.sent[0] - queued_at < 1.0


async def test_a_stopped_dispatcher_ends_during_its_idle_time(services: Services) -> None:
    """Stopping does not wait for the idle timeout either."""
    dispatcher = Dispatcher(services.sessions, services.vault, {"telegram": _Sender()})
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run_forever(stop, idle=30.0))
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait_for(task, timeout=2)


async def test_a_burst_goes_at_once_and_then_the_interval_applies(services: Services) -> None:
    """burst=3, 1 s apart: three slots now, the fourth a second later, the fifth two."""
    start = time.time()
    slots = [await take_slot(services.sessions, "burst-test", 1.0, burst=3) for _ in range(5)]
    assert all(slot - start < 0.5 for slot in slots[:3])
    assert 0.9 < slots[3] - slots[0] < 1.5
    assert 1.9 < slots[4] - slots[0] < 2.5


async def test_without_burst_every_slot_is_one_interval_after_the_last(
    services: Services,
) -> None:
    """The default (burst 1) is the plain limit the other senders rely on."""
    slots = [await take_slot(services.sessions, "plain-test", 0.5) for _ in range(3)]
    assert [round(b - a, 2) for a, b in itertools.pairwise(slots)] == [0.5, 0.5]
