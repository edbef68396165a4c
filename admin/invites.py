"""Inviting someone by text message, after they agreed to be texted.

The invitation is queued in the outbox on the "sms" channel like any other
message; the SMS sender delivers it. Someone who has sent STOP is never invited.
"""

from __future__ import annotations

from datetime import datetime

import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession

from bot.model import Reply
from collection.crypto import AddressVault
from collection.models import OutboxMessage, Programme
from collection.outbox import queue_reply
from collection.participants import get_locked
from collection.programmes import is_collecting

SMS_CHANNEL = "sms"


class InviteError(Exception):
    """The invitation cannot be sent; the message says why in plain words."""


def normalise_phone(raw: str, region: str = "GB") -> str:
    """A UK (or international) number as E.164, like +447700900123."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise InviteError("That does not look like a phone number.") from error
    if not phonenumbers.is_valid_number(number):
        raise InviteError("That phone number is not valid. Please check it.")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


async def invite_by_sms(
    *,
    session: AsyncSession,
    vault: AddressVault,
    programme: Programme,
    phone: str,
    agreed: bool,
    now: datetime,
) -> OutboxMessage:
    if not agreed:
        raise InviteError("Please tick to confirm the person agreed to get a text message.")
    if not is_collecting(programme, now):
        raise InviteError("This programme is not collecting answers at the moment.")
    address = normalise_phone(phone)
    participant = await get_locked(
        session=session, vault=vault, channel=SMS_CHANNEL, address=address
    )
    assert participant is not None
    if participant.opted_out:
        raise InviteError(
            "This number has asked for no more messages (they sent STOP), so we cannot text it."
        )
    reply = Reply(
        key="invite",
        params=(("name", programme.name), ("purpose", programme.purpose), ("code", programme.code)),
    )
    row = queue_reply(
        session=session,
        channel=SMS_CHANNEL,
        participant_id=participant.id,
        reply=reply,
        language=programme.languages[0] if programme.languages else "en",
        kind="invite",
        now=now,
    )
    await session.flush()
    return row
