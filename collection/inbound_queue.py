"""The inbound queue: messages accepted (stored) before they are processed.

A webhook first stores the message, one insert and one commit, so it is safe
however long the rest takes. Its row in the inbound log is `pending` until the
conversation step has run and committed, in the same transaction that marks it
`done`: a crash before that commit leaves it pending (a worker retries it), a
crash after it leaves it done (never processed twice).

Any number of tasks and processes take rows: on PostgreSQL with
`FOR UPDATE SKIP LOCKED`, so two never hold the same row. One person's messages
are processed in the order they were accepted: a row is taken only when no
earlier row of the same sender (channel and address hash) is still pending, and
a row being processed stays pending until its transaction commits, so the next
one of that person waits for it whichever process holds it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import String, and_, bindparam, case, exists, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import ColumnElement

from collection.models import InboundLog, table

_TABLE = table(InboundLog)

PENDING = "pending"
DONE = "done"
FAILED = "failed"
MAX_ATTEMPTS = 5
"""A message whose step met a database outage this many times (a statement timeout on
this one row, say) is set aside as `failed`, so one row cannot hold up everyone queued
behind it (it stays in the log for an operator). A bug sets it aside at the first."""
MAX_JOIN_CODE = 100
MAX_LANGUAGE_HINT = 200

ReplyVia = Literal["answer", "outbox", "poll"]
"""How a processed message's replies reach the person: in the HTTP answer (TwiML,
the web chat's JSON), through the outbox (Twilio REST, Telegram), or picked up by
the web chat page polling for them."""


@dataclass(frozen=True)
class Accepted:
    """A message stored in the queue: its row id, or the earlier row with its id."""

    row_id: int
    existing: InboundLog | None = None
    """Set when (channel, external id) was stored before: a replay."""


async def accept(
    *,
    session: AsyncSession,
    channel: str,
    external_id: str,
    sender: str,
    address_encrypted: str,
    text: str,
    kind: str,
    turn: int | None,
    join_code: str | None,
    language_hint: str | None,
    now: datetime,
) -> Accepted:
    """Store one inbound message as pending (a replay is found, not stored again)."""
    values: dict[str, object] = {
        "channel": channel,
        "external_id": external_id,
        "status": PENDING,
        "sender": sender,
        "address_encrypted": address_encrypted,
        "text": text,
        "kind": kind,
        "turn": _storable_turn(turn),
        "join_code": join_code[:MAX_JOIN_CODE] if join_code else None,
        "language_hint": language_hint[:MAX_LANGUAGE_HINT] if language_hint else None,
        "replies": [],
        "language": "en",
        "received_at": now,
    }
    statement = _accept_statement(session.get_bind().dialect.name)
    row_id = (await session.execute(statement, values)).scalar_one_or_none()
    if row_id is not None:
        return Accepted(int(row_id))
    found = await session.execute(
        select(InboundLog).where(
            InboundLog.channel == channel, InboundLog.external_id == external_id
        )
    )
    existing = found.scalar_one()
    return Accepted(existing.id, existing)


def _storable_turn(turn: int | None) -> int | None:
    """A button's turn as a 32-bit column holds it. Turns count up from 0, so one out of
    range can never be the current turn: -1 keeps that (the tap is stale), where the
    raw value made the insert overflow (a 500)."""
    if turn is None or -(2**31) <= turn < 2**31:
        return turn
    return -1


@functools.cache
def _accept_statement(dialect: str) -> Executable:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, built once per dialect.

    Building a statement costs more Python than running it (the profile showed a
    third of the accept's CPU in `Insert.values`); values are bound at execution."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (  # Core, not the ORM's bulk insert: a twentieth of a burst's server samples
        insert(_TABLE)  # went to its set-up around this one row
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(_TABLE.c.id)
    )


_PENDING_SQL = literal_column(f"'{PENDING}'", String)
"""`pending` written into the statements' text, not bound: PostgreSQL matches a partial
index's predicate (`status = 'pending'`, migrations 0009 and 0011) only against the
query's own constants, and a prepared statement's generic plan sees no bound value."""


def _first_of_its_sender() -> ColumnElement[bool]:
    """No earlier message of the same person is still pending (or being processed)."""
    earlier = aliased(InboundLog)
    return ~exists().where(
        and_(
            earlier.status == _PENDING_SQL,
            earlier.channel == InboundLog.channel,
            earlier.sender == InboundLog.sender,
            earlier.id < InboundLog.id,
        )
    )


@dataclass(frozen=True)
class Taken:
    """A pending message locked for processing: what the step needs of its row.

    Read as plain columns, not as an `InboundLog` object, and marked done with one
    Core UPDATE (`finish`): the ORM's loading and unit of work for this one row cost
    more than the two statements themselves, on every message."""

    id: int
    channel: str
    external_id: str
    address_encrypted: str | None
    text: str | None
    kind: str | None
    turn: int | None
    join_code: str | None
    language_hint: str | None


_TAKEN_COLUMNS = tuple(getattr(InboundLog, name) for name in Taken.__dataclass_fields__)
_TAKE = (
    select(*_TAKEN_COLUMNS)
    .where(
        InboundLog.id == bindparam("row_id"),
        InboundLog.status == _PENDING_SQL,
        _first_of_its_sender(),
    )
    .with_for_update(skip_locked=True)
)
_TAKE_NEXT = (
    select(*_TAKEN_COLUMNS)
    .where(InboundLog.status == _PENDING_SQL, _first_of_its_sender())
    .order_by(InboundLog.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)


async def take(session: AsyncSession, row_id: int) -> Taken | None:
    """Lock this pending message for processing now, or None.

    None when it was processed already, another task or process holds it, or an
    earlier message of the same person has to be processed first (a worker will).
    """
    result = await session.execute(_TAKE, {"row_id": row_id})
    row = result.first()
    return Taken(*row) if row is not None else None


async def take_next(session: AsyncSession, limit: int = 1) -> list[Taken]:
    """Lock the oldest pending messages that nothing earlier of their person holds back,
    at most `limit`, oldest first: one per person, since only a person's first pending
    message qualifies."""
    result = await session.execute(_TAKE_NEXT, {"limit": limit})
    return [Taken(*row) for row in result]


@dataclass
class Done:
    """What a processed message's row says once its step has run (see `finish`)."""

    processed_at: datetime
    participant_id: int | None
    response_id: int | None
    text: str | None
    """What the person sent; None once they are erased."""
    replies: list[dict[str, Any]]
    language: str
    reply_via: ReplyVia
    effects: list[dict[str, Any]]
    erased: bool
    """The person was erased by this message: nothing links the row to the address."""


_DONE_COLUMNS = tuple(name for name in Done.__dataclass_fields__ if name != "erased")
_FINISH = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"))
    .values(
        status=DONE,
        address_encrypted=None,
        **{name: bindparam(name, type_=_TABLE.c[name].type) for name in _DONE_COLUMNS},
    )
)
_FINISH_ERASED = _FINISH.values(sender=None)


async def finish(session: AsyncSession, row_id: int, done: Done) -> None:
    """Mark a taken message done, in its step's transaction: the step's outcome, and
    no address any more (a reply goes to the participant's own, encrypted)."""
    values = {name: getattr(done, name) for name in _DONE_COLUMNS}
    await session.execute(_FINISH_ERASED if done.erased else _FINISH, {**values, "row_id": row_id})


async def record_failure(session: AsyncSession, row_id: int, *, set_aside: bool = False) -> None:
    """Count a step that raised; past `MAX_ATTEMPTS`, or at once with `set_aside`, the
    message is set aside.

    `set_aside` is for a bug (see `collection.outage`): the same step would raise the
    same way again, and the queue would hand this row out first every time."""
    give_up = InboundLog.attempts + 1 >= MAX_ATTEMPTS
    await session.execute(
        update(InboundLog)
        .where(InboundLog.id == row_id, InboundLog.status == PENDING)
        .values(
            attempts=InboundLog.attempts + 1,
            status=FAILED if set_aside else case((give_up, FAILED), else_=PENDING),
        )
    )


async def find(session: AsyncSession, channel: str, external_id: str) -> InboundLog | None:
    """The stored message with this (channel, external id), pending or done."""
    result = await session.execute(
        select(InboundLog)
        .where(InboundLog.channel == channel, InboundLog.external_id == external_id)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


__all__ = [
    "DONE",
    "FAILED",
    "PENDING",
    "Accepted",
    "Done",
    "ReplyVia",
    "Taken",
    "accept",
    "find",
    "finish",
    "record_failure",
    "take",
    "take_next",
]
