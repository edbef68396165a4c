"""Telegram as the app sees it: off without TELEGRAM_BOT_TOKEN, else `TelegramChannel`'s parts."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from channels.base import ChannelAdapter
from channels.telegram.lifecycle import TelegramChannel
from collection.outbox import Sender
from collection.runtime import Services

CHANNEL = "telegram"
"""Where this process's `TelegramChannel` is kept in `Services.extras` (one bot per process)."""


def telegram_channel(services: Services) -> TelegramChannel | None:
    """This process's Telegram channel, built on first use; None without TELEGRAM_BOT_TOKEN."""
    if not services.settings.telegram_bot_token:
        return None
    channel = services.extras.get(CHANNEL)
    if not isinstance(channel, TelegramChannel):
        channel = TelegramChannel.build(
            services.settings,
            intake=services.intake,
            sessions=services.sessions,
            vault=services.vault,
        )
        services.extras[CHANNEL] = channel
    # Replies wait in the outbox: wake the dispatcher the way the intake does (read at
    # call time: the app sets the intake's `notify` after building the adapters).
    channel.handler.notify = lambda: services.intake.notify()
    return channel


class TelegramAdapter:
    def __init__(self, channel: TelegramChannel | None) -> None:
        self.channel = channel

    def router(self) -> APIRouter | None:
        return self.channel.router() if self.channel else None

    def senders(self) -> dict[str, Sender]:
        return {CHANNEL: self.channel.sender} if self.channel else {}

    async def start(self, stopping: asyncio.Event) -> None:
        """Register the commands and the webhook (retrying), or poll without a public URL."""
        if self.channel:
            await self.channel.run(stopping)

    async def stop(self) -> None:
        if self.channel:
            await self.channel.close()


def adapter(services: Services) -> ChannelAdapter:
    return TelegramAdapter(telegram_channel(services))
