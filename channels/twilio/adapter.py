"""SMS and WhatsApp through Twilio, as the app sees them: the webhook and one sender each."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from channels.base import ChannelAdapter
from channels.twilio import webhook
from channels.twilio.outbox_sender import twilio_senders
from channels.twilio.sender import TwilioSender
from collection.outbox import Sender
from collection.runtime import Services

CLIENT = "twilio"
"""Where `senders` leaves the HTTP clients it made in `Services.extras` (a list: a test or
a tool may ask for senders more than once), for `stop` to close them."""


class TwilioAdapter:
    def __init__(self, services: Services) -> None:
        self._services = services

    def router(self) -> APIRouter | None:
        # Mounted even without credentials: with no token to check signatures it refuses.
        return webhook.router

    def senders(self) -> dict[str, Sender]:
        settings = self._services.settings
        sid, token = settings.twilio_account_sid, settings.twilio_auth_token
        from_ = settings.twilio_from
        if not (sid and token and from_):
            return {}
        client, by_channel = twilio_senders(
            account_sid=sid,
            auth_token=token,
            from_=from_,
            base_url=settings.twilio_api_base_url,
            messages_per_second=settings.twilio_mps,
            public_url=settings.public_url,
            whatsapp_templates=settings.whatsapp_templates,
        )
        self._services.extras[CLIENT] = [*_clients(self._services), client]
        return dict(by_channel)

    async def start(self, stopping: asyncio.Event) -> None:
        return None

    async def stop(self) -> None:
        await close_client(self._services)


async def close_client(services: Services) -> None:
    """Release the HTTP connections of the clients `senders` made, if it made any."""
    clients = _clients(services)
    services.extras.pop(CLIENT, None)
    for client in clients:
        await client.close()


def _clients(services: Services) -> list[TwilioSender]:
    held = services.extras.get(CLIENT)
    if not isinstance(held, list):
        return []
    return [each for each in held if isinstance(each, TwilioSender)]


def adapter(services: Services) -> ChannelAdapter:
    return TwilioAdapter(services)
