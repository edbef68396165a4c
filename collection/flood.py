"""Limits on floods: messages per sender, and new web chat conversations per address and
per programme, held across every app process.

Two layers:

- `SenderLimiter`, in process memory: a sliding window per (channel, address
  hash) that refuses a flood before it touches the database at all;
- `SharedCounter`, in the database (`flood_counter`): the same limits counted
  once for every process, so N processes do not allow N times the limit. One
  small upsert (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, on SQLite and
  PostgreSQL alike) per counted event: for a message, inside the intake's own
  transaction (no extra commit; a refusal rolls everything back); for a new web
  chat conversation, in a short transaction of its own before the intake.

The shared count is a sliding window estimated from two fixed slots (the
current one, and the previous one weighted by how much of it still lies inside
the window), so a sender cannot double the limit at a slot boundary.

Real people do not type 30 messages a minute; a script or a looping phone does.
On the web chat the sender is a session id the visitor's page makes up, so a
script can be a new "person" with every message: hence the limits on new
conversations per client address and per programme (`check_new_conversation`),
from which a kiosk the admin registered is exempt (see `collection/kiosk.py`).
"""

from __future__ import annotations

import functools
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Executable

from collection.db import SessionFactory
from collection.models import FloodCounter

DEFAULT_LIMIT = 30
DEFAULT_WINDOW = 60.0
MAX_TRACKED = 50_000
"""Forget the oldest senders beyond this many, so memory stays bounded under attack."""
PURGE_EVERY = 500
"""Counted events between two purges of expired counter rows (per process)."""


class TooManyMessagesError(Exception):
    """This sender sent more than the limit; try again after `retry_after` seconds."""

    def __init__(self, retry_after: float, what: str = "messages from this sender") -> None:
        super().__init__(f"too many {what}; retry after {retry_after:.0f} s")
        self.retry_after = retry_after
        self.what = what


@dataclass
class SenderLimiter:
    """The in-process sliding window (the first, free line of defence)."""

    limit: int = DEFAULT_LIMIT
    window: float = DEFAULT_WINDOW
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def check(self, sender: str) -> None:
        """Count one message from `sender`, or raise TooManyMessagesError."""
        now = self.clock()
        times = self._seen.pop(sender, None) or deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        self._seen[sender] = times  # re-inserted: most recently seen last
        if len(times) >= self.limit:
            raise TooManyMessagesError(self.window - (now - times[0]))
        times.append(now)
        if len(self._seen) > MAX_TRACKED:
            del self._seen[next(iter(self._seen))]


@dataclass
class SharedCounter:
    """Counts in the database, so every process sees every other's events."""

    sessions: SessionFactory
    _since_purge: int = 0

    async def hit(
        self, key: str, *, limit: int, window: float, now: float, what: str = "messages"
    ) -> None:
        """Count one event for `key` at `now` (Unix seconds); raise past `limit` per `window`.

        A refused event is rolled back with its transaction, leaving the count at the
        limit, so a sender who keeps flooding stays refused until the window moves on.
        """
        async with self.sessions() as session, session.begin():
            await self.count(session, key, limit=limit, window=window, now=now, what=what)

    async def count(
        self,
        session: AsyncSession,
        key: str,
        *,
        limit: int,
        window: float,
        now: float,
        what: str = "messages",
    ) -> None:
        """`hit` inside the caller's transaction (the intake's own: no extra commit).

        Raising there rolls the count back with everything else, which still refuses:
        the count stays at the limit, so the next event is over it again. On
        PostgreSQL the counter row is locked until the caller commits; the intake
        already holds the same sender's participant lock, so nothing waits longer.
        """
        slot = math.floor(now / window)
        into = (now - slot * window) / window
        statement = _count_statement(session.get_bind().dialect.name)
        values = {
            "counted_key": key,
            "counted_slot": slot,
            "previous_slot": slot - 1,
            "expires": int((slot + 2) * window) + 1,
        }
        counted = (await session.execute(statement, values)).one()
        current, previous = int(counted[0]), int(counted[1] or 0)
        self._since_purge += 1
        if self._since_purge >= PURGE_EVERY:
            self._since_purge = 0
            await session.execute(delete(FloodCounter).where(FloodCounter.expires_at < now))
        if previous * (1 - into) + current > limit:
            raise TooManyMessagesError(max(window * (1 - into), 1.0), what)


@functools.cache
def _count_statement(dialect: str) -> Executable:
    """The counting upsert, built once per dialect (values are bound at execution:
    building it each time was a third of a message's CPU in the profile).

    It adds one to this slot's count and returns it with the previous slot's, in one
    round trip: `INSERT ... ON CONFLICT DO UPDATE ... RETURNING count, (SELECT ...)`."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    earlier = aliased(FloodCounter)
    previous_slot = (
        select(earlier.count)
        .where(earlier.key == bindparam("counted_key"), earlier.slot == bindparam("previous_slot"))
        .scalar_subquery()
    )
    return (
        insert(FloodCounter)
        .values(
            key=bindparam("counted_key"),
            slot=bindparam("counted_slot"),
            count=1,
            expires_at=bindparam("expires"),
        )
        .on_conflict_do_update(
            index_elements=["key", "slot"], set_={"count": FloodCounter.count + 1}
        )
        .returning(FloodCounter.count, previous_slot)
    )


@dataclass(frozen=True)
class NewConversationLimits:
    """How many new web chat conversations may start, from one client address and in one
    programme (WTFC_FLOOD_NEW_PER_ADDRESS_PER_HOUR, WTFC_FLOOD_NEW_PER_PROGRAMME_PER_MINUTE)."""

    per_address_per_hour: int = 30
    per_programme_per_minute: int = 30


async def check_new_conversation(
    counter: SharedCounter,
    limits: NewConversationLimits,
    *,
    client: str,
    programme: str,
    now: float,
) -> None:
    """Count one new conversation from `client` (a keyed hash of the IP address, never the
    address itself) in `programme` (its code); raise TooManyMessagesError past either
    limit. Nothing else is stored."""
    await counter.hit(
        f"new:address:{client}"[:160],
        limit=limits.per_address_per_hour,
        window=3600.0,
        now=now,
        what="new conversations from this address",
    )
    await counter.hit(
        f"new:programme:{programme}"[:160],
        limit=limits.per_programme_per_minute,
        window=60.0,
        now=now,
        what="new conversations in this programme",
    )
