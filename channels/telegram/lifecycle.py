"""The Telegram channel of one process: its parts, and how it starts and stops.

At start-up the bot's command menu is registered (setMyCommands: English by default, and
once per language the product speaks, with its `language_code`), then either
the webhook is registered with its secret (WTFC_PUBLIC_URL set) or any webhook
is removed and this process polls (no public URL). Telegram may be unreachable
when the server starts: start-up is retried in the background and nothing else
waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from fastapi import APIRouter
from telegram.request import BaseRequest

from channels.telegram.application import (
    ALLOWED_UPDATES,
    COMMANDS,
    MENU_LANGUAGES,
    BotGate,
    build_application,
    commands,
    webhook_secret,
    webhook_url,
)
from channels.telegram.handler import TelegramHandler
from channels.telegram.polling import RETRY_DELAYS, Poller
from channels.telegram.sender import TelegramSender
from channels.telegram.webhook import webhook_router
from collection.crypto import AddressVault
from collection.db import SessionFactory
from collection.intake import Intake
from collection.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class TelegramChannel:
    settings: Settings
    gate: BotGate
    handler: TelegramHandler
    sender: TelegramSender

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        intake: Intake,
        sessions: SessionFactory,
        vault: AddressVault,
        request: BaseRequest | None = None,
        get_updates_request: BaseRequest | None = None,
    ) -> TelegramChannel:
        # httpx logs every request URL at INFO, and a Bot API URL contains the bot token;
        # PTB logs every call's parameters at DEBUG, and they contain chat ids.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("telegram").setLevel(logging.INFO)
        application = build_application(
            settings, request=request, get_updates_request=get_updates_request
        )
        gate = BotGate(application)
        return cls(
            settings=settings,
            gate=gate,
            handler=TelegramHandler(intake=intake, gate=gate),
            sender=TelegramSender(
                gate,
                sessions,
                vault,
                messages_per_second=settings.telegram_mps,
                chat_messages_per_second=settings.telegram_chat_mps,
            ),
        )

    @property
    def polling(self) -> bool:
        """True when there is no public URL for a webhook."""
        return webhook_url(self.settings) is None

    def router(self) -> APIRouter:
        return webhook_router(self.handler, webhook_secret(self.settings))

    async def run(self, stop: asyncio.Event) -> None:
        """Start up (retrying until Telegram answers), then poll if there is no webhook."""
        failures = 0
        while not stop.is_set():
            try:
                await self.start_up()
                break
            except Exception as error:  # Telegram down or a bad token: keep the server up
                delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)]
                failures += 1
                log.warning(
                    "telegram start-up failed (%s); retrying in %.0f s", type(error).__name__, delay
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
        if self.polling and not stop.is_set():
            await Poller(self.gate, self.handler.handle).run(stop)

    async def start_up(self) -> None:
        bot = await self.gate.bot()
        await bot.set_my_commands(COMMANDS)
        for language in MENU_LANGUAGES:
            # Telegram shows each person the menu of their app's language, else the default.
            await bot.set_my_commands(commands(language), language_code=language)
        url = webhook_url(self.settings)
        if url is None:
            await bot.delete_webhook()
            log.info("telegram: polling for updates (no WTFC_PUBLIC_URL)")
        else:
            await bot.set_webhook(
                url, secret_token=webhook_secret(self.settings), allowed_updates=ALLOWED_UPDATES
            )
            log.info("telegram: webhook registered at %s", url)

    async def close(self) -> None:
        await self.gate.close()


__all__ = ["TelegramChannel"]
