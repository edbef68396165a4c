"""The "needs attention" list: safeguarding cases a viewer may see, and revealing a contact.

Who may do what (see README, "Safeguarding"):
- admin: every case; acknowledge, close, decide the card, reveal the contact.
- lead: the cases of their programmes, with the same rights.
- staff: may see that a case exists (its kind, programme, date and status) and
  acknowledge it (they are often the ones at the desk); like everywhere else in the
  admin they do not read statements, and they never reveal contact details, close a
  case or decide the card.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.services import access
from admin.web.i18n import N_
from collection import channel_facts
from collection.crypto import AddressDecryptError, AddressVault
from collection.models import (
    OutboxMessage,
    Participant,
    Programme,
    ProgrammeLead,
    SafeguardingCase,
    Statement,
    User,
)
from collection.safeguarding.cases import ALERT_KIND


def can_act(user: User) -> bool:
    """Close, decide the card and reveal contacts: leads (their programmes) and admins."""
    return access.can_manage(user)


async def visible_cases(
    *, session: AsyncSession, user: User, status: str | None = None
) -> list[tuple[SafeguardingCase, Programme]]:
    """Newest first; a lead sees only their programmes' cases."""
    query = (
        select(SafeguardingCase, Programme)
        .join(Programme, Programme.id == SafeguardingCase.programme_id)
        .order_by(SafeguardingCase.created_at.desc(), SafeguardingCase.id.desc())
    )
    if status:
        query = query.where(SafeguardingCase.status == status)
    if user.role == "lead":
        query = query.join(
            ProgrammeLead,
            (ProgrammeLead.programme_id == Programme.id) & (ProgrammeLead.user_id == user.id),
        )
    return [(case, programme) for case, programme in (await session.execute(query)).all()]


async def open_count(*, session: AsyncSession, user: User) -> int:
    """Open cases this user can see: the number in the navigation."""
    query = (
        select(func.count()).select_from(SafeguardingCase).where(SafeguardingCase.status == "open")
    )
    if user.role == "lead":
        query = query.join(
            ProgrammeLead,
            (ProgrammeLead.programme_id == SafeguardingCase.programme_id)
            & (ProgrammeLead.user_id == user.id),
        )
    return int((await session.execute(query)).scalar_one())


async def case_for(
    *, session: AsyncSession, user: User, case_id: int
) -> tuple[SafeguardingCase, Programme] | None:
    case = await session.get(SafeguardingCase, case_id)
    if case is None:
        return None
    programme = await session.get(Programme, case.programme_id)
    if programme is None or not await access.can_see(
        session=session, user=user, programme=programme
    ):
        return None
    return case, programme


async def statement_of(*, session: AsyncSession, case: SafeguardingCase) -> Statement | None:
    return await session.get(Statement, case.statement_id) if case.statement_id else None


@dataclass(frozen=True)
class AlertStatus:
    channel: str
    status: str
    attempts: int
    last_error: str | None


async def alerts_of(*, session: AsyncSession, case: SafeguardingCase) -> list[AlertStatus]:
    """How the alerts for this case went (sent, waiting, failed): never to whom."""
    rows = await session.execute(
        select(OutboxMessage).where(
            OutboxMessage.kind == ALERT_KIND, OutboxMessage.created_at >= case.created_at
        )
    )
    found = []
    for row in rows.scalars():
        params = dict(tuple(p) for p in row.payload.get("params", []))
        if params.get("case") == case.id:
            found.append(AlertStatus(row.channel, row.status, row.attempts, row.last_error))
    return found


@dataclass(frozen=True)
class Contact:
    channel: str
    address: str | None
    """None when nobody can be reached: kiosk, assisted entry, erased, or key changed."""
    why_not: str = ""


async def reveal(*, session: AsyncSession, vault: AddressVault, case: SafeguardingCase) -> Contact:
    """The person's channel address, decrypted. The caller audits the access."""
    facts = channel_facts.facts_for(case.channel)
    channel = facts.label
    if not facts.reachable:
        return Contact(channel, None, N_("This person answered where nobody can be reached later."))
    participant = (
        await session.get(Participant, case.participant_id) if case.participant_id else None
    )
    if participant is None or participant.address_encrypted is None:
        return Contact(channel, None, N_("The contact details have been erased."))
    try:
        return Contact(channel, vault.decrypt(participant.address_encrypted))
    except AddressDecryptError:
        return Contact(
            channel, None, N_("The contact details cannot be read with the current key.")
        )
