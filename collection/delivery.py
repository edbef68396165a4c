"""Delivery reports for sent messages: what the network did with them after we handed them over.

A provider reports each message's progress (queued, sent, delivered, read, or
undelivered/failed) to a callback, and the reports can arrive out of order. The
status only moves forward, so a late "sent" never hides a "delivered". A report
that the person has opted out (Twilio's 21610, decided by the channel) marks
them opted out, so nothing more is queued or sent to them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collection.models import OutboxMessage, Participant

PROGRESS: dict[str, int] = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "read": 5,
    "undelivered": 6,
    "failed": 6,
    "canceled": 6,
}
"""How far along each status is; an unknown status ranks with "sent"."""
FAILED = frozenset({"undelivered", "failed"})


async def record_delivery(
    *,
    session: AsyncSession,
    provider_id: str,
    status: str,
    error: str | None = None,
    opted_out: bool = False,
    now: datetime,
) -> int:
    """Record `status` on the messages the provider knows as `provider_id`; returns how many."""
    rows = await session.execute(
        select(OutboxMessage).where(OutboxMessage.provider_id == provider_id).with_for_update()
    )
    messages = list(rows.scalars())
    rank = PROGRESS.get(status, PROGRESS["sent"])
    for message in messages:
        current = message.delivery_status
        if current is None or rank >= PROGRESS.get(current, PROGRESS["sent"]):
            message.delivery_status = status
        if status in FAILED and error:
            message.last_error = error
        if opted_out and message.participant_id is not None:
            await session.execute(
                update(Participant)
                .where(Participant.id == message.participant_id, Participant.opted_out.is_(False))
                .values(opted_out=True, opted_out_at=now)
            )
    return len(messages)
