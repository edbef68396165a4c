"""A send-rate limit shared by every process: one row per sender holds its next free slot.

Each send takes the next slot under a row lock and then waits for it, so N
dispatcher processes together never exceed the configured messages per second.

The clock is injectable (`PaceClock`): the wall clock in production, `FakePaceClock`
in tests, which releases each waiter at once and records the slot it was given, so a
test checks the schedule itself rather than how busy the machine happened to be.
"""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Protocol

from sqlalchemy import Float, bindparam, case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from collection.db import SessionFactory
from collection.models import Pacer, table


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


async def reserve_slot(
    session: AsyncSession,
    key: str,
    interval: float,
    burst: int = 1,
    clock: PaceClock = WALL_CLOCK,
    count: int = 1,
) -> float:
    """Reserve the next send slot for `key` in `session`'s transaction; returns its time.

    With `count` above one, reserves that many slots `interval` apart and returns the
    first (the dispatcher prepares a claimed batch in one transaction).

    One statement: an upsert that moves the key's next free time to
    `max(next_at, now) + interval` and returns it. The row stays locked until the
    transaction ends (PostgreSQL; SQLite has one writer anyway), so two dispatchers
    never get the same slot. The slot is `max(next_at_after - burst * interval, now)`:
    with the old `next_at` ahead of now that is `old - (burst - 1) * interval`, else now.

    `burst` lets that many sends go at once before the interval applies (a token
    bucket kept as one time, GCRA): Telegram allows a short burst in one chat.
    """
    now = clock.time()
    statement = _reserve_statement(session.get_bind().dialect.name)
    span = max(count, 1) * interval
    next_at = await session.scalar(statement, {"key": key, "now": now, "span": span})
    assert next_at is not None
    return max(float(next_at) - span - (max(burst, 1) - 1) * interval, now)


@functools.cache
def _reserve_statement(dialect: str) -> ReturningInsert[float]:
    """The upsert, built once per dialect with the key and times bound at execution:
    building it at every reservation (and the ORM's set-up around it) cost the
    dispatcher more than running it."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    pacer = table(Pacer)
    now = bindparam("now", type_=Float)
    span = bindparam("span", type_=Float)
    later = case((pacer.c.next_at > now, pacer.c.next_at), else_=now)
    return (
        insert(pacer)
        .values(key=bindparam("key"), next_at=now + span)
        .on_conflict_do_update(index_elements=[pacer.c.key], set_={"next_at": later + span})
        .returning(pacer.c.next_at)
    )


async def take_slot(
    sessions: SessionFactory,
    key: str,
    interval: float,
    burst: int = 1,
    clock: PaceClock = WALL_CLOCK,
) -> float:
    """`reserve_slot` in a transaction of its own."""
    async with sessions() as session, session.begin():
        return await reserve_slot(session, key, interval, burst, clock)


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
