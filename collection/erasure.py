"""Erasure: a person's statements, picks, contact details and message log really go.

Exports made before erasure are the only copies left; the audit log records
that an erasure happened and which programmes it touched (never what was erased).

Two scopes. The person's own DELETE, and an administrator, erase everything the
address told us in every programme. A project lead erases only within the
programmes they manage: the person's answers elsewhere are not theirs to
destroy (nor to know about). The participant row, with its contact details and
the messages sent outside any programme, then stays only while the person still
has answers in some other programme, because that conversation still needs it
(to carry on, to be reminded, to hear back); once nothing else remains it goes too.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collection.models import InboundLog, OutboxMessage, Participant, Programme, Response


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
    await _forget_log(session, InboundLog.response_id == response_id)
    await session.execute(delete(OutboxMessage).where(OutboxMessage.response_id == response_id))
    await session.execute(delete(Response).where(Response.id == response_id))


async def _forget_log(session: AsyncSession, condition: object) -> None:
    """Keep (channel, external id) so a replay is still recognised; drop what was said."""
    await session.execute(
        update(InboundLog)
        .where(condition)  # type: ignore[arg-type]
        .values(text=None, replies=[], participant_id=None, response_id=None)
    )
