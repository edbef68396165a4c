"""Background workers: process the inbound messages no webhook finished within its budget.

They run inside every `wtfc serve` process (nothing new to run) and share the
queue through the database (see `inbound_queue`): each turn takes the oldest
messages that may go next (one per person, a few people at a time) in one
transaction, so any number of workers in any number of processes may run at
once, and a process killed mid-turn leaves its messages pending for the next
worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from collection import outage
from collection.intake import Intake

log = logging.getLogger(__name__)

IDLE_SECONDS = 0.5
"""How long a worker with nothing to do waits before it looks again (unless woken)."""
ERROR_PAUSE = 1.0
"""The pause after a step that raised a bug (its message is set aside already)."""
OUTAGE_PAUSES = (1.0, 2.0, 5.0, 10.0, 30.0)
"""Pauses after consecutive steps that met a database outage, the longest repeated."""
BATCH = 8
"""Messages (of different people) a worker processes in one transaction. A backlog
drained 1.3 to 1.6 times as fast with 8 as with 1 (issue 17's note); more holds the
people's rows, and on SQLite the one writer, longer for little more."""

Pause = Callable[[asyncio.Event, float, asyncio.Event | None], Awaitable[None]]


async def _wait(stop: asyncio.Event, seconds: float, wake: asyncio.Event | None = None) -> None:
    """Sleep up to `seconds`, less if stopped or woken."""
    events = [stop] + ([wake] if wake is not None else [])
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter


@dataclass
class InboundWorkers:
    """`count` workers looping over `Intake.process_next` until stopped, `batch`
    messages at a time."""

    intake: Intake
    count: int = 2
    idle: float = IDLE_SECONDS
    pause: Pause = _wait
    """How a worker waits (tests give one that records the seconds instead of sleeping)."""
    batch: int = BATCH

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(*(self._loop(stop) for _ in range(self.count)))

    async def drain(self) -> int:
        """Process everything that may go now (tests, scripts). Returns how many."""
        done = 0
        while taken := await self.intake.process_next(self.batch):
            done += taken
        return done

    async def _loop(self, stop: asyncio.Event) -> None:
        outages = 0
        while not stop.is_set():
            await self.intake.give_way()
            try:
                worked = await self.intake.process_next(self.batch)
            except Exception as error:  # an outage or a bad row must not end the worker
                # An outage: wait longer each time, the message stays pending. A bug: its
                # message was set aside (`Intake.process_next`), so the next one goes.
                if outage.report(error, log, "inbound worker step").is_outage:
                    seconds = OUTAGE_PAUSES[min(outages, len(OUTAGE_PAUSES) - 1)]
                    outages += 1
                    await self.pause(stop, seconds, None)
                else:
                    await self.pause(stop, ERROR_PAUSE, None)
                continue
            outages = 0
            if not worked:
                self.intake.work.clear()
                await self.pause(stop, self.idle, self.intake.work)


__all__ = ["InboundWorkers"]
