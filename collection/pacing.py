"""A send-rate limit shared by every process: one row per sender holds its next free slot.

Each send takes the next slot under a row lock and then waits for it, so N
dispatcher processes together never exceed the configured messages per second.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from collection.db import SessionFactory, insert_if_missing
from collection.models import Pacer


async def take_slot(sessions: SessionFactory, key: str, interval: float, burst: int = 1) -> float:
    """Reserve the next send slot for `key`; returns its wall-clock time.

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
        now = time.time()
        slot = max(row.next_at - (max(burst, 1) - 1) * interval, now)
        row.next_at = max(row.next_at, now) + interval
    return slot


async def wait_for_slot(
    sessions: SessionFactory, key: str, interval: float, burst: int = 1
) -> None:
    slot = await take_slot(sessions, key, interval, burst)
    delay = slot - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
