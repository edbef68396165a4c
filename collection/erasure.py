"""Erasure: a person's statements, picks, contact details and message log really go.

Exports made before erasure are the only copies left; the audit log records
that an erasure happened and which programmes it touched (never what was erased).

Gone from disk, too: every SQLite connection runs with `secure_delete` (deleted rows
are overwritten with zeros), and after an erasure commits `scrub` checkpoints the
write-ahead log and truncates it, so the erased words are neither in `wtfc.db-wal` nor
in free pages of `wtfc.db` while the server runs. On PostgreSQL `scrub` runs VACUUM on
the tables an erasure touches, so no row version holding the words stays readable;
SECURITY.md says what remains (page slack, WAL segments, backups) and how to end it.

Two scopes. The person's own DELETE, and an administrator, erase everything the
address told us in every programme. A project lead erases only within the
programmes they manage: the person's answers elsewhere are not theirs to
destroy (nor to know about). The participant row, with its contact details and
the messages sent outside any programme, then stays only while the person still
has answers in some other programme, because that conversation still needs it
(to carry on, to be reminded, to hear back); once nothing else remains it goes too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from collection.models import (
    FeedbackReply,
    InboundLog,
    OutboxMessage,
    Participant,
    Pick,
    Programme,
    Response,
    Statement,
)

log = logging.getLogger(__name__)

ERASED = "wtfc.erased"
"""Set in `session.info` by an erasure, so the caller knows to `scrub` after committing."""
TOUCHED_TABLES = tuple(
    model.__tablename__
    for model in (Statement, Pick, Response, InboundLog, OutboxMessage, Participant, FeedbackReply)
)
"""Every table an erasure deletes from or blanks a column of."""
CHECKPOINT_TRIES = 5


@dataclass(frozen=True)
class Erased:
    """What an erasure touched, for the audit log."""

    programmes: tuple[str, ...]
    """Codes of the programmes whose answers went, sorted."""
    responses: int
    contact_erased: bool
    """The participant row (contact details, lobby messages) went too."""


async def erase_participant(*, session: AsyncSession, participant_id: int) -> Erased:
    """Erase everything of one participant, in every programme."""
    return await _erase(session, participant_id, within=None)


async def erase_participant_within(
    *, session: AsyncSession, participant_id: int, programme_ids: Collection[int]
) -> Erased:
    """Erase one participant's answers in these programmes only (a lead's erasure).

    The participant row and its contact details go as well only when the person
    has no answers left in any other programme.
    """
    return await _erase(session, participant_id, within=frozenset(programme_ids))


async def _erase(
    session: AsyncSession, participant_id: int, within: frozenset[int] | None
) -> Erased:
    session.info[ERASED] = True
    rows = (
        await session.execute(
            select(Response.id, Response.programme_id, Programme.code)
            .join(Programme, Programme.id == Response.programme_id)
            .where(Response.participant_id == participant_id)
        )
    ).all()
    chosen = [row for row in rows if within is None or row.programme_id in within]
    for row in chosen:
        await erase_response(session=session, response_id=row.id)
    codes = tuple(sorted({row.code for row in chosen}))
    if len(chosen) < len(rows):
        return Erased(codes, len(chosen), contact_erased=False)
    await session.execute(
        delete(OutboxMessage).where(OutboxMessage.participant_id == participant_id)
    )
    await _forget_log(session, InboundLog.participant_id == participant_id)
    await session.execute(delete(Participant).where(Participant.id == participant_id))
    return Erased(codes, len(chosen), contact_erased=True)


async def erase_response(*, session: AsyncSession, response_id: int) -> None:
    """Delete a response with its statements and picks (they cascade) and its log text."""
    session.info[ERASED] = True
    await _forget_log(session, InboundLog.response_id == response_id)
    await session.execute(delete(FeedbackReply).where(FeedbackReply.response_id == response_id))
    await session.execute(delete(OutboxMessage).where(OutboxMessage.response_id == response_id))
    await session.execute(delete(Response).where(Response.id == response_id))


async def _forget_log(session: AsyncSession, condition: object) -> None:
    """Keep (channel, external id) so a replay is still recognised; drop what was said,
    and the effects it caused (they hold the person's statements word for word)."""
    await session.execute(
        update(InboundLog)
        .where(condition)  # type: ignore[arg-type]
        .values(text=None, replies=[], effects=[], participant_id=None, response_id=None)
    )


def erased_in(session: AsyncSession) -> bool:
    """Whether this session erased someone (and so its caller should `scrub` after commit)."""
    return bool(session.info.pop(ERASED, False))


async def scrub(engine: AsyncEngine) -> None:
    """After an erasure has committed: leave no copy of the erased rows in the files.

    Runs outside any transaction (a checkpoint and VACUUM both refuse to run inside one).
    Never raises: the erasure itself has happened; a failed scrub is logged.
    """
    try:
        if engine.dialect.name == "sqlite":
            await _checkpoint_sqlite(engine)
        else:
            await _vacuum_postgresql(engine)
    except Exception:  # the erasure is done; the next scrub (or autovacuum) finishes it
        log.exception("scrub after erasure failed")


async def _checkpoint_sqlite(engine: AsyncEngine) -> None:
    """Copy every page into wtfc.db, then cut wtfc.db-wal to nothing.

    With `secure_delete` on, the pages copied in hold zeros where the rows were. A reader
    in another process can make the checkpoint wait; it is tried again a few times.
    """
    for attempt in range(CHECKPOINT_TRIES):
        async with engine.connect() as connection:
            busy = await connection.run_sync(_truncate_wal)
        if not busy:
            return
        await asyncio.sleep(0.1 * (attempt + 1))
    log.warning("the write-ahead log could not be truncated after an erasure (busy)")


def _truncate_wal(connection: Any) -> bool:
    # The raw driver connection: SQLAlchemy would wrap the pragma in BEGIN IMMEDIATE,
    # and a checkpoint inside a transaction cannot finish.
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        row = cursor.fetchone()
    finally:
        cursor.close()
    return bool(row and row[0])


async def _vacuum_postgresql(engine: AsyncEngine) -> None:
    """VACUUM the touched tables: dead row versions (the erased words) are removed."""
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql("VACUUM " + ", ".join(TOUCHED_TABLES))
