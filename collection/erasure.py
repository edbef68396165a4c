"""Erasure: a person's statements, picks, contact details and message log really go.

Exports made before erasure are the only copies left; the audit log records
that an erasure happened (never what was erased).
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collection.models import FeedbackReply, InboundLog, OutboxMessage, Participant, Response


async def erase_participant(*, session: AsyncSession, participant_id: int) -> int:
    """Erase everything of one participant. Returns how many responses went."""
    response_ids = list(
        (
            await session.execute(
                select(Response.id).where(Response.participant_id == participant_id)
            )
        ).scalars()
    )
    for response_id in response_ids:
        await erase_response(session=session, response_id=response_id)
    await session.execute(
        delete(OutboxMessage).where(OutboxMessage.participant_id == participant_id)
    )
    await _forget_log(session, InboundLog.participant_id == participant_id)
    await session.execute(delete(Participant).where(Participant.id == participant_id))
    return len(response_ids)


async def erase_response(*, session: AsyncSession, response_id: int) -> None:
    """Delete a response with its statements and picks (they cascade) and its log text."""
    await _forget_log(session, InboundLog.response_id == response_id)
    await session.execute(delete(FeedbackReply).where(FeedbackReply.response_id == response_id))
    await session.execute(delete(OutboxMessage).where(OutboxMessage.response_id == response_id))
    await session.execute(delete(Response).where(Response.id == response_id))


async def _forget_log(session: AsyncSession, condition: object) -> None:
    """Keep (channel, external id) so a replay is still recognised; drop what was said."""
    await session.execute(
        update(InboundLog)
        .where(condition)  # type: ignore[arg-type]
        .values(text=None, replies=[], participant_id=None, response_id=None)
    )
