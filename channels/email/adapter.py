"""E-mail as the app sees it: a way out only, for safeguarding alerts to staff.

No participant answers by e-mail, so it serves no channel of
collection/channel_facts.py; its sender exists once WTFC_SMTP_URL is set (without
it the alerts wait in the outbox until it is).
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from channels.base import ChannelAdapter
from channels.email.sender import MailSender, parse_smtp_url
from collection.outbox import Sender
from collection.runtime import Services

CHANNEL = "email"


class EmailAdapter:
    def __init__(self, services: Services) -> None:
        self._settings = services.settings

    def router(self) -> APIRouter | None:
        return None

    def senders(self) -> dict[str, Sender]:
        if not self._settings.smtp_url:
            return {}
        mail_from = self._settings.mail_from or "wtfc-collect@localhost"
        return {CHANNEL: MailSender(parse_smtp_url(self._settings.smtp_url), mail_from)}

    async def start(self, stopping: asyncio.Event) -> None:
        return None

    async def stop(self) -> None:
        return None


def adapter(services: Services) -> ChannelAdapter:
    return EmailAdapter(services)
