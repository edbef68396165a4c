"""Retention: contact details go N days after a programme closes; statements stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from collection.intake import InboundMessage
from collection.models import AuditEntry, InboundLog, Participant, Programme, Statement
from collection.programmes import create_programme, get_by_code
from collection.retention import purge_expired_contacts
from collection.runtime import Services


async def test_contacts_are_purged_after_retention_and_statements_kept(
    services: Services,
) -> None:
    """Closed for longer than retention_days: no address, no message text; statements stay."""
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK", retention_days=30)
    for text in ("PARK", "YES", "1", "My own key to my flat"):
        await services.intake.handle(
            InboundMessage(channel="sms", address="+447700900123", text=text)
        )
    async with services.sessions() as session, session.begin():
        programme = await get_by_code(session=session, code="PARK")
        assert programme is not None
        programme.status = "closed"
    async with services.sessions() as session, session.begin():
        programme = await get_by_code(session=session, code="PARK")
        assert programme is not None and programme.closed_at is not None
        closed_at = programme.closed_at
        assert (
            await purge_expired_contacts(session=session, now=closed_at + timedelta(days=29)) == 0
        )
    async with services.sessions() as session, session.begin():
        assert (
            await purge_expired_contacts(session=session, now=closed_at + timedelta(days=31)) == 1
        )
    async with services.sessions() as session:
        participant = (await session.execute(select(Participant))).scalar_one()
        assert participant.address_encrypted is None
        logged = (await session.execute(select(InboundLog.text))).scalars().all()
        assert set(logged) == {None}
        assert (await session.execute(select(Statement.text))).scalar_one() == (
            "My own key to my flat"
        )
        purge = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "retention.purge"))
        ).scalar_one()
        assert purge.target == "PARK"
        programme = (await session.execute(select(Programme))).scalar_one()
        assert programme.contacts_purged_at is not None


async def test_someone_still_in_an_open_programme_keeps_their_contact(
    services: Services,
) -> None:
    """A person also taking part in an open programme can still be reached there."""
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK", retention_days=0)
        await create_programme(session=session, name="Oak", code="OAK")
    for text in ("PARK", "YES", "JOIN OAK"):
        await services.intake.handle(
            InboundMessage(channel="sms", address="+447700900123", text=text)
        )
    async with services.sessions() as session, session.begin():
        programme = await get_by_code(session=session, code="PARK")
        assert programme is not None
        programme.status = "closed"
    async with services.sessions() as session, session.begin():
        programme = await get_by_code(session=session, code="PARK")
        assert programme is not None and programme.closed_at is not None
        await purge_expired_contacts(session=session, now=programme.closed_at + timedelta(days=1))
    async with services.sessions() as session:
        count = await session.execute(
            select(func.count())
            .select_from(Participant)
            .where(Participant.address_encrypted.is_not(None))
        )
        assert count.scalar_one() == 1
