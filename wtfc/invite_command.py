"""`wtfc invite CODE NUMBER`: text someone an invitation to take part in a programme.

The invitation is queued in the outbox like every message we send, so it goes
out from the running app (`wtfc serve`) at the configured pace, with retries;
the command itself never talks to Twilio. The number is never printed whole.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from collection.channel_facts import invitable_channels
from collection.invites import InviteError, queue_invite
from collection.programmes import get_by_code
from collection.runtime import Services


def add_parser(commands: Any) -> None:
    """Add `invite` to the `wtfc` subcommands."""
    invite = commands.add_parser(
        "invite", help="text someone an invitation to take part (sent by `wtfc serve`)"
    )
    invite.add_argument("code", help="the programme's code, e.g. PARK")
    invite.add_argument("number", help="a mobile number: +447700900123 or 07700 900123")
    invite.add_argument("--channel", choices=invitable_channels(), default="sms")


async def invite(services: Services, args: argparse.Namespace) -> int:
    """Queue the invitation; 2 with the reason when it cannot be sent."""
    try:
        async with services.sessions() as session, session.begin():
            programme = await get_by_code(session=session, code=args.code)
            if programme is None:
                raise InviteError(f"There is no programme with the code {args.code.upper()}.")
            queued = await queue_invite(
                session=session,
                vault=services.vault,
                programme=programme,
                number=args.number,
                channel=args.channel,
                actor=f"cli:{_user()}",
            )
    except InviteError as error:
        print(f"wtfc: {error}", file=sys.stderr)
        return 2
    print(f"Invitation to {programme.code} queued for {queued.masked_number} by {queued.channel}.")
    settings = services.settings
    if not (settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from):
        print(
            "Twilio is not set up here (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM): "
            "the invitation waits until `wtfc serve` runs with them.",
            file=sys.stderr,
        )
    return 0


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
