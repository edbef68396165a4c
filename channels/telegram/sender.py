"""Send one queued reply to a Telegram chat, and say what the outbox should do next.

A picker redraw (`edit=True`) edits the picker message in place instead of
sending a new one: the message id Telegram gave it is the outbox row's
`provider_id`, so it is found in the database, whichever process sent it.

Telegram's limits are kept: about 30 messages a second overall (the dispatcher
paces `pace_key`) and about one a second per chat after a short burst (paced
here, per chat, through the same shared pacer rows). A 429 is retried after the
`retry_after` Telegram gives; a 403 (the person blocked the bot, or deleted
their account) opts them out; network trouble and 5xx are retried with backoff.
Chat ids are personal data: they never reach a log line or an error text.
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta

from sqlalchemy import select
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.model import Reply, reply_from_dict
from channels.telegram.application import BotGate
from channels.telegram.parse import CHANNEL
from channels.telegram.render import is_picker, render
from collection.crypto import AddressVault
from collection.db import SessionFactory
from collection.models import OutboxMessage
from collection.outbox import Outgoing, SendResult
from collection.pacing import WALL_CLOCK, PaceClock, wait_for_slot

log = logging.getLogger(__name__)

CHAT_BURST = 3
"""Messages one chat may get at once (a welcome is three) before the per-chat rate applies."""


class TelegramSender:
    """The outbox's way out to Telegram (see the module docstring)."""

    pace_key = "telegram"

    def __init__(
        self,
        gate: BotGate,
        sessions: SessionFactory,
        vault: AddressVault,
        *,
        messages_per_second: float = 30.0,
        chat_messages_per_second: float = 1.0,
        clock: PaceClock = WALL_CLOCK,
    ) -> None:
        self._gate = gate
        self.clock = clock
        """Where the per-chat pacing reads the time and waits (a fake one in tests)."""
        self._sessions = sessions
        self._vault = vault
        self.messages_per_second = messages_per_second
        self._chat_interval = 1 / chat_messages_per_second

    async def send(self, message: Outgoing) -> SendResult:
        try:
            chat_id = int(message.address)
        except ValueError:
            return SendResult(ok=False, error="not a Telegram chat id")
        await wait_for_slot(
            self._sessions,
            self.chat_pace_key(message.address),
            self._chat_interval,
            CHAT_BURST,
            clock=self.clock,
        )
        try:
            if message.reply.edit:
                return await self._redraw(chat_id, message)
            return await self._send_new(chat_id, message.reply, message.language)
        except TelegramError as error:
            result = classify(error)
            log.warning("telegram send failed (%s): %s", message.reply.key, result.error)
            return result

    def chat_pace_key(self, address: str) -> str:
        """One pacer row per chat, named by a keyed hash: the table never holds a chat id."""
        return f"{self.pace_key}:chat:{self._vault.lookup_hash(address)[:40]}"

    async def _send_new(self, chat_id: int, reply: Reply, language: str) -> SendResult:
        rendered = render(reply, language)
        bot = await self._gate.bot()
        sent = await bot.send_message(chat_id, rendered.text, reply_markup=rendered.markup)
        return SendResult(ok=True, provider_id=str(sent.message_id))

    async def _redraw(self, chat_id: int, message: Outgoing) -> SendResult:
        """Edit the picker in place if it is the last message; otherwise draw it anew."""
        shown = await self._last_sent(message.id)
        if shown is None or not is_picker(shown[1]):
            return await self._send_new(chat_id, message.reply, message.language)
        message_id, before = shown
        after = render(message.reply, message.language)
        bot = await self._gate.bot()
        try:
            if after.text == render(before, message.language).text:
                await bot.edit_message_reply_markup(
                    chat_id=chat_id, message_id=message_id, reply_markup=after.markup
                )
            else:
                await bot.edit_message_text(
                    after.text, chat_id=chat_id, message_id=message_id, reply_markup=after.markup
                )
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return SendResult(ok=True, provider_id=str(message_id))  # already as wanted
            # Deleted by the person, or too old to edit: send the picker as a new message.
            return await self._send_new(chat_id, message.reply, message.language)
        return SendResult(ok=True, provider_id=str(message_id))

    async def _last_sent(self, outbox_id: int) -> tuple[int, Reply] | None:
        """The message id and reply of the newest message this person was sent before."""
        async with self._sessions() as session:
            participant_id = await session.scalar(
                select(OutboxMessage.participant_id).where(OutboxMessage.id == outbox_id)
            )
            if participant_id is None:
                return None
            row = (
                await session.execute(
                    select(OutboxMessage.provider_id, OutboxMessage.payload)
                    .where(
                        OutboxMessage.participant_id == participant_id,
                        OutboxMessage.channel == CHANNEL,
                        OutboxMessage.status == "sent",
                        OutboxMessage.id < outbox_id,
                    )
                    .order_by(OutboxMessage.id.desc())
                    .limit(1)
                )
            ).first()
        if row is None or not (row.provider_id or "").isdigit():
            return None
        return int(row.provider_id), reply_from_dict(row.payload)


def classify(error: TelegramError) -> SendResult:
    """What a Bot API error means for the outbox: retry, opted out, or give up."""
    if isinstance(error, RetryAfter):
        return SendResult(
            ok=False, retry=True, retry_after=retry_seconds(error), error="429: flood control"
        )
    if isinstance(error, Forbidden):
        # "bot was blocked by the user", "user is deactivated": nobody to send to.
        return SendResult(ok=False, opted_out=True, error=f"403: {error.message}")
    if isinstance(error, ChatMigrated):
        return SendResult(ok=False, error="400: a group chat (never a participant)")
    if isinstance(error, BadRequest):
        return SendResult(ok=False, error=f"400: {error.message}")
    if isinstance(error, InvalidToken):
        # The operator can fix the token; until then keep the message (backoff, then fail).
        return SendResult(ok=False, retry=True, error="401: the bot token was rejected")
    if isinstance(error, TimedOut):
        return SendResult(ok=False, retry=True, error="timeout")
    if isinstance(error, NetworkError):
        return SendResult(ok=False, retry=True, error=f"network: {error.message}")
    return SendResult(ok=False, retry=True, error=f"telegram: {error.message}")


def retry_seconds(error: RetryAfter) -> float:
    """`retry_after` in seconds, whether PTB gives an int (22.x) or a timedelta (later)."""
    with warnings.catch_warnings():
        # PTB 22 warns that the attribute becomes a timedelta; both are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


__all__ = ["CHAT_BURST", "TelegramSender", "classify", "retry_seconds"]
