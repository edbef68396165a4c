"""Inviting someone by text message, after they agreed to be texted.

The rules (the number checked and normalised, never after STOP, queued in the
outbox, audited by participant id) are `collection.invites.queue_invite`'s,
shared with `wtfc invite`; the admin adds what only its form can ask: that the
person agreed to get a text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from admin.web.i18n import N_
from collection.crypto import AddressVault
from collection.invites import Invite, InviteError, queue_invite
from collection.models import Programme

SMS_CHANNEL = "sms"

__all__ = ["SMS_CHANNEL", "InviteError", "invite_by_sms"]


async def invite_by_sms(
    *,
    session: AsyncSession,
    vault: AddressVault,
    programme: Programme,
    phone: str,
    agreed: bool,
    now: datetime,
    actor: str,
) -> Invite:
    """Queue the invitation in the caller's transaction; `InviteError` says why not."""
    if not agreed:
        raise InviteError(N_("Please tick to confirm the person agreed to get a text message."))
    return await queue_invite(
        session=session,
        vault=vault,
        programme=programme,
        number=phone,
        channel=SMS_CHANNEL,
        actor=actor,
        now=now,
    )
