"""Retention: contact details go N days after a programme closes; statements stay, anonymous.

"N" is the programme's `retention_days`. What goes: the encrypted address of every
participant who has no response in a programme still open, and the text of the
message log. Statements and picks stay for the workshop, with nothing that can
reach the person.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collection.models import AuditEntry, InboundLog, Participant, Programme, Response


async def purge_expired_contacts(*, session: AsyncSession, now: datetime) -> int:
    """Purge contact details for programmes closed longer ago than their retention.

    Returns how many programmes were purged this time.
    """
    closed = (
        (
            await session.execute(
                select(Programme).where(
                    Programme.status == "closed",
                    Programme.closed_at.is_not(None),
                    Programme.contacts_purged_at.is_(None),
                )
            )
        )
        .scalars()
        .all()
    )
    purged = 0
    for programme in closed:
        assert programme.closed_at is not None
        if now < programme.closed_at + timedelta(days=programme.retention_days):
            continue
        in_programme = select(Response.participant_id).where(Response.programme_id == programme.id)
        still_open = exists().where(
            Response.participant_id == Participant.id,
            Response.programme_id == Programme.id,
            Programme.status != "closed",
        )
        await session.execute(
            update(Participant)
            .where(Participant.id.in_(in_programme), ~still_open)
            .values(address_encrypted=None)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(InboundLog)
            .where(
                InboundLog.response_id.in_(
                    select(Response.id).where(Response.programme_id == programme.id)
                )
            )
            .values(text=None, replies=[])
            .execution_options(synchronize_session=False)
        )
        programme.contacts_purged_at = now
        session.add(
            AuditEntry(
                actor="system",
                action="retention.purge",
                target=programme.code,
                detail={"retention_days": programme.retention_days},
                at=now,
            )
        )
        purged += 1
    return purged
