"""Staff invitations by text: who is asking, why, and how to reply or STOP.

Every way staff invite someone (`wtfc invite`, the admin's form) goes through
`queue_invite`, so the rules are the same everywhere: the number is checked and
normalised (the same person must be the same participant when they reply), a
number that sent STOP is never invited, the invitation waits in the outbox (the
dispatcher sends it at the configured pace, with retries), and the audit log
says who invited which participant, by id, never by number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.model import Reply
from collection.channel_facts import facts_for, invitable_channels
from collection.crypto import AddressVault
from collection.models import AuditEntry, OutboxMessage, Programme
from collection.outbox import queue_reply
from collection.participants import get_locked
from collection.phones import PhoneNumberError, masked, textable_e164
from collection.programmes import is_collecting


class InviteError(Exception):
    """The invitation cannot be sent; the message says why in plain words (never the number)."""


class InvalidNumberError(InviteError):
    """The number is not one a text can be sent to."""


class OptedOutError(InviteError):
    """The person sent STOP: only they can opt back in, by texting START."""


class NotCollectingError(InviteError):
    """The programme is a draft, closed, or outside its collection dates."""


class AlreadyInvitedError(InviteError):
    """An invitation to this programme is still waiting to go to this number."""


@dataclass(frozen=True)
class Invite:
    """A queued invitation: the outbox row that will carry it and whom it is for."""

    participant_id: int
    outbox_id: int
    channel: str
    masked_number: str
    """For staff to see which number it was without the whole number on screen or in logs."""


def invite_reply(programme: Programme) -> Reply:
    """The invite message: who is asking (name), why (purpose), how to reply (code) or STOP."""
    return Reply(
        key="invite",
        params=(("name", programme.name), ("purpose", programme.purpose), ("code", programme.code)),
    )


async def queue_invite(
    *,
    session: AsyncSession,
    vault: AddressVault,
    programme: Programme,
    number: str,
    channel: str = "sms",
    actor: str = "cli",
    now: datetime | None = None,
) -> Invite:
    """Queue an invitation to `programme` for `number`, inside the caller's transaction."""
    now = now or datetime.now(UTC)
    if not facts_for(channel).invitable:
        allowed = " or ".join(invitable_channels())
        raise InviteError(f"Invitations go by {allowed}, not {channel}.")
    if not is_collecting(programme, now):
        raise NotCollectingError(f"{programme.code} is not collecting answers at the moment.")
    try:
        address = textable_e164(number)
    except PhoneNumberError as error:
        raise InvalidNumberError(str(error)) from error
    participant = await get_locked(session=session, vault=vault, channel=channel, address=address)
    assert participant is not None
    if participant.opted_out:
        raise OptedOutError(
            "This number has asked for no more messages (they sent STOP), so we cannot "
            "text it. They can text START to opt back in."
        )
    if await _waiting_invite(session, participant.id, programme.code):
        raise AlreadyInvitedError(
            f"An invitation to {programme.code} is already waiting to go to this number."
        )
    row = queue_reply(
        session=session,
        channel=channel,
        participant_id=participant.id,
        reply=invite_reply(programme),
        language=programme.languages[0] if programme.languages else "en",
        kind="invite",
        now=now,
    )
    await session.flush()
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action=f"invite.{channel}",
            target=programme.code,
            detail={"participant": participant.id, "outbox": row.id},
        )
    )
    return Invite(participant.id, row.id, channel, masked(address))


async def _waiting_invite(session: AsyncSession, participant_id: int, code: str) -> bool:
    rows = await session.execute(
        select(OutboxMessage.payload).where(
            OutboxMessage.participant_id == participant_id,
            OutboxMessage.kind == "invite",
            OutboxMessage.status.in_(("queued", "sending")),
        )
    )
    return any(dict(payload.get("params", [])).get("code") == code for payload in rows.scalars())
