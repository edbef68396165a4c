"""The one python-telegram-bot `Application` of a process, and what it is set up with.

Built with `updater(None)`: our FastAPI app owns HTTP (the webhook route) and our
own loop polls when there is no public address, because both must know whether
an update was stored before confirming it to Telegram, which PTB's update queue
and handler dispatch do not tell. Conversation state never lives in PTB (no
ConversationHandler): it is in the database, shared by every process. The base
URL comes from TELEGRAM_API_BASE_URL so tests can point the bot at an emulator.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import Any

from telegram import BotCommand
from telegram.ext import Application, ApplicationBuilder, ExtBot
from telegram.request import BaseRequest

from channels.i18n import LOCALE_DIRS, message
from collection.settings import Settings

TelegramApplication = Application[Any, Any, Any, Any, Any, Any]
Bot = ExtBot[None]

WEBHOOK_PATH = "/webhooks/telegram"
POLL_TIMEOUT = 25
"""Seconds a getUpdates long poll may wait for news (Telegram holds it open)."""

ALLOWED_UPDATES = ("message", "edited_message", "channel_post", "callback_query", "my_chat_member")
"""Everything we act on; nothing else is fetched or pushed to the webhook."""

MENU: tuple[tuple[str, str], ...] = (
    ("help", "cmd_help"),
    ("stop", "cmd_stop"),
    ("language", "cmd_language"),
    ("restart", "cmd_restart"),
)
"""The menu Telegram shows beside the message box: each command (also our keyword) and the
message key of its description."""
MENU_LANGUAGES: tuple[str, ...] = tuple(
    language for language in LOCALE_DIRS if language != "en" and "@" not in language
)
"""Languages with a menu of their own (Telegram's `language_code`, ISO 639-1); everyone else,
easy-read English among them, gets the English menu (no language_code)."""


def commands(language: str = "en") -> tuple[BotCommand, ...]:
    """The command menu with its descriptions in `language`."""
    return tuple(BotCommand(command, message(key, language)) for command, key in MENU)


COMMANDS = commands("en")
"""The default (English) menu."""


class TelegramNotConfiguredError(Exception):
    """TELEGRAM_BOT_TOKEN is not set, so there is no Telegram channel."""


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> TelegramApplication:
    """The Application for the settings' bot; `request` replaces the network (tests)."""
    token = settings.telegram_bot_token
    if not token:
        raise TelegramNotConfiguredError("TELEGRAM_BOT_TOKEN is not set")
    builder = ApplicationBuilder().token(token).base_url(settings.telegram_api_base_url)
    builder = builder.updater(None)
    if request is not None:
        builder = builder.request(request)
    else:
        builder = builder.connect_timeout(5).read_timeout(10).write_timeout(10).pool_timeout(5)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    else:
        builder = builder.get_updates_connect_timeout(5).get_updates_read_timeout(POLL_TIMEOUT + 10)
    return builder.build()


def webhook_secret(settings: Settings) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from WTFC_SECRET_KEY and the bot token.

    Derived rather than random so every process of one deployment agrees on it
    (each registers the webhook at start-up) and it survives restarts; a new bot
    token gives a new secret. Hex digits are within what Telegram accepts.
    """
    if settings.telegram_webhook_secret:
        return settings.telegram_webhook_secret
    token = settings.telegram_bot_token or ""
    return hmac.new(
        settings.secret_key.encode(), b"wtfc:telegram:webhook:" + token.encode(), hashlib.sha256
    ).hexdigest()


def webhook_url(settings: Settings) -> str | None:
    """Where Telegram should post updates, or None (no public address: poll instead)."""
    if not settings.public_url:
        return None
    return settings.public_url.rstrip("/") + WEBHOOK_PATH


class BotGate:
    """The application's bot, initialised on first use.

    Telegram may be unreachable when the server starts; the web chat and SMS must
    not wait for it, and the first send or tap after it comes back initialises it.
    """

    def __init__(self, application: TelegramApplication) -> None:
        self.application = application
        self._lock = asyncio.Lock()
        self._ready = False

    async def bot(self) -> Bot:
        if not self._ready:
            async with self._lock:
                if not self._ready:
                    await self.application.initialize()
                    self._ready = True
        bot: Bot = self.application.bot
        return bot

    async def close(self) -> None:
        async with self._lock:
            if self._ready:
                self._ready = False
                await self.application.shutdown()
            else:
                await self.application.bot.shutdown()


__all__ = [
    "ALLOWED_UPDATES",
    "COMMANDS",
    "MENU_LANGUAGES",
    "POLL_TIMEOUT",
    "WEBHOOK_PATH",
    "Bot",
    "BotGate",
    "TelegramApplication",
    "TelegramNotConfiguredError",
    "build_application",
    "commands",
    "webhook_secret",
    "webhook_url",
]
