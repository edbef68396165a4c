"""A send-rate limit shared by every process: one row per sender holds its next free slot.

Each send takes the next slot under a row lock and then waits for it, so N
dispatcher processes together never exceed the configured messages per second.

The clock is injectable (`PaceClock`): the wall clock in production, `FakePaceClock`
in tests, which releases each waiter at once and records the slot it was given, so a
test checks the schedule itself rather than how busy the machine happened to be.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from sqlalchemy import select

from collection.db import SessionFactory, insert_if_missing
from collection.models import Pacer


class PaceClock(Protocol):
    """Where pacing reads the time and waits for a slot."""

    def time(self) -> float:
        """Seconds since the epoch (any fixed origin shared by every process)."""
        ...

    async def sleep_until(self, moment: float) -> None:
        """Return at `moment` (at once if it has passed)."""
        ...


class WallClock:
    """The real clock: time.time() and asyncio.sleep."""

    def time(self) -> float:
        return time.time()

    async def sleep_until(self, moment: float) -> None:
        delay = moment - time.time()
        if delay > 0:
            await asyncio.sleep(delay)


WALL_CLOCK = WallClock()


class FakePaceClock:
    """A test double for `PaceClock`: time moves only when a waiter is released.

    `sleep_until` advances the time to the slot (never backwards) and records it, so
    `released` is the schedule the pacer gave out, whatever the machine's speed.
    """

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.released: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep_until(self, moment: float) -> None:
        self.released.append(moment)
        self.now = max(self.now, moment)
        await asyncio.sleep(0)


async def take_slot(
    sessions: SessionFactory,
    key: str,
    interval: float,
    burst: int = 1,
    clock: PaceClock = WALL_CLOCK,
) -> float:
    """Reserve the next send slot for `key`; returns its time on `clock`.

    `burst` lets that many sends go at once before the interval applies (a token
    bucket kept as one time, GCRA): Telegram allows a short burst in one chat.
    """
    async with sessions() as session, session.begin():
        await insert_if_missing(session, Pacer, {"key": key, "next_at": 0.0}, ["key"])
        row = (
            await session.execute(
                select(Pacer)
                .where(Pacer.key == key)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalar_one()
        now = clock.time()
        slot = max(row.next_at - (max(burst, 1) - 1) * interval, now)
        row.next_at = max(row.next_at, now) + interval
    return slot


async def wait_for_slot(
    sessions: SessionFactory,
    key: str,
    interval: float,
    burst: int = 1,
    clock: PaceClock = WALL_CLOCK,
) -> None:
    """Take the next slot for `key` and wait until it comes."""
    slot = await take_slot(sessions, key, interval, burst, clock)
    await clock.sleep_until(slot)
