"""Safeguarding cases: opened in the inbound transaction, then acknowledged, decided, closed.

A case is opened in the same transaction that stores the statement, and its
alerts are queued in the outbox in that transaction too: if the message is
stored, the alert will be sent (retried through a mail server outage), and if
it is not, nobody is told of a statement that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.model import Reply, reply_to_dict
from bot.safeguarding import CATEGORY_NAMES, Disclosure
from collection.crypto import AddressVault
from collection.models import (
    OutboxMessage,
    Programme,
    Response,
    SafeguardingCase,
    Statement,
)

STATUSES = ("open", "acknowledged", "closed")
DECISIONS = ("keep", "edit", "exclude")
EMAIL_CHANNEL = "email"
SMS_CHANNEL = "sms"
ALERT_KIND = "alert"
CASE_PATH = "/admin/safeguarding/{id}"

EMAIL_TEMPLATE = (
    "Safeguarding concern: {category}\n"
    "Programme: {programme} ({code})\n"
    "Case: {link}\n"
    "\n"
    "What was said ({channel}, response {reference}):\n"
    "\n"
    "{statement}\n"
    "\n"
    "Open the case to acknowledge it, record what was done, and (if you are the lead "
    "or an admin) see how to reach the person. Their contact details are never sent "
    "by e-mail."
)
"""The alert's body. The subject line is in `alert_subject`. Plain text: it is read on
phones and in every mail client, and carries nothing that identifies the person."""
SMS_TEMPLATE = 'Safeguarding concern ({programme}): "{statement}" Case: {link}'
SMS_STATEMENT = 300
"""SMS alerts carry at most this much of the statement; the case has it all."""


class CaseError(Exception):
    """A case cannot change as asked (e.g. closing without an outcome)."""


@dataclass(frozen=True)
class AlertSettings:
    """What queuing an alert needs: the key to encrypt staff addresses and where cases live."""

    vault: AddressVault
    public_url: str | None = None
    sms: bool = False
    """Twilio is configured: contacts with a phone get an SMS as well as an e-mail."""

    def case_link(self, case_id: int) -> str:
        return (self.public_url or "").rstrip("/") + CASE_PATH.format(id=case_id)


def alert_subject(params: dict[str, str | int]) -> str:
    return f"Safeguarding concern in {params.get('programme', '')}: {params.get('category', '')}"


async def open_case(
    *,
    session: AsyncSession,
    programme: Programme,
    response: Response,
    statement: Statement,
    disclosure: Disclosure,
    now: datetime,
    alerts: AlertSettings | None,
) -> SafeguardingCase:
    """Open a case for a statement and queue its alerts, in the caller's transaction."""
    case = SafeguardingCase(
        programme_id=programme.id,
        statement_id=statement.id,
        response_id=response.id,
        participant_id=response.participant_id,
        reference=response.reference,
        channel=response.channel,
        text=statement.text,
        category=disclosure.category,
        categories=list(disclosure.categories),
        phrase=disclosure.phrase,
        status="open",
        created_at=now,
    )
    session.add(case)
    await session.flush()
    if alerts is not None:
        queue_alerts(session=session, case=case, programme=programme, alerts=alerts, now=now)
    return case


def queue_alerts(
    *,
    session: AsyncSession,
    case: SafeguardingCase,
    programme: Programme,
    alerts: AlertSettings,
    now: datetime,
) -> int:
    """One e-mail per contact with an address, one SMS per contact with a phone (if Twilio)."""
    params: dict[str, str | int] = {
        "category": CATEGORY_NAMES.get(case.category, case.category),
        "programme": programme.name,
        "code": programme.code,
        "link": alerts.case_link(case.id),
        "channel": case.channel,
        "reference": case.reference,
        "statement": case.text,
        "case": case.id,
    }
    queued = 0
    for contact in programme.safeguarding_contacts or []:
        email = str(contact.get("email") or "").strip()
        phone = str(contact.get("phone") or "").strip()
        if email:
            _queue(session, EMAIL_CHANNEL, EMAIL_TEMPLATE, params, alerts.vault.encrypt(email), now)
            queued += 1
        if phone and alerts.sms:
            short = dict(params, statement=_shorten(case.text, SMS_STATEMENT))
            _queue(session, SMS_CHANNEL, SMS_TEMPLATE, short, alerts.vault.encrypt(phone), now)
            queued += 1
    return queued


def _queue(
    session: AsyncSession,
    channel: str,
    template: str,
    params: dict[str, str | int],
    address_encrypted: str,
    now: datetime,
) -> None:
    # The template is the reply's key: a key that is not a catalogue message is used as
    # literal text (channels.i18n.message), with the statement filled in as a parameter.
    reply = Reply(key=template, params=tuple(params.items()))
    session.add(
        OutboxMessage(
            channel=channel,
            participant_id=None,
            response_id=None,
            kind=ALERT_KIND,
            payload=reply_to_dict(reply),
            language="en",
            next_attempt_at=now,
            address_encrypted=address_encrypted,
        )
    )


def _shorten(text: str, limit: int) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "\u2026"


# ---- the lead's side ---------------------------------------------------------------------


def acknowledge(case: SafeguardingCase, *, by: str, now: datetime) -> None:
    """Someone has picked the case up: the list shows who and when."""
    if case.status == "closed":
        raise CaseError("This case is closed.")
    if case.status == "open":
        case.status, case.acknowledged_by, case.acknowledged_at = "acknowledged", by, now


def close(case: SafeguardingCase, *, by: str, outcome: str, now: datetime) -> None:
    """Close with what was done; a case cannot be closed without saying so."""
    outcome = outcome.strip()
    if not outcome:
        raise CaseError("Please say what was done before closing the case.")
    if case.acknowledged_at is None:
        case.acknowledged_by, case.acknowledged_at = by, now
    case.status, case.closed_by, case.closed_at, case.outcome = "closed", by, now, outcome


def reopen(case: SafeguardingCase) -> None:
    case.status = "acknowledged" if case.acknowledged_at else "open"
    case.closed_by = case.closed_at = None


def decide(
    case: SafeguardingCase,
    statement: Statement | None,
    *,
    decision: str,
    by: str,
    now: datetime,
    card_text: str | None = None,
) -> None:
    """What goes on the card: keep it, print an edited wording, or leave it out."""
    if decision not in DECISIONS:
        raise CaseError("Choose keep, edit or exclude.")
    if statement is not None:
        if decision == "edit":
            wording = (card_text or "").strip()
            if not wording:
                raise CaseError("Please type the wording for the card.")
            statement.card_text, statement.excluded = wording, False
        elif decision == "exclude":
            statement.excluded = True
            statement.exclude_reason = "safeguarding"
        else:
            statement.excluded = False
        statement.reviewed = True
    case.decision, case.decided_by, case.decided_at = decision, by, now


async def held_back_ids(*, session: AsyncSession, programme_id: int) -> set[int]:
    rows = await session.execute(
        select(SafeguardingCase.statement_id).where(
            SafeguardingCase.programme_id == programme_id,
            SafeguardingCase.decision.is_(None),
            SafeguardingCase.statement_id.is_not(None),
        )
    )
    return {int(i) for i in rows.scalars() if i is not None}
