"""The one handler every Telegram update goes through, by webhook or by polling.

A conversation update is handed to the intake: one transaction records it
(deduplicated by update_id) and queues its replies in the outbox, so once
`handle` returns, a crash loses nothing. Database errors propagate on purpose:
the webhook answers 503 and the poller keeps the update, and Telegram or the
poller tries again. Then the outbox dispatcher is woken, and the button tap (if
any) is answered, stale or not, so the person's button stops spinning.

A chat over the intake's flood limit has its excess updates dropped.
Groups and channels get one "private chats only" message and the bot leaves
them: nothing from a group is stored, not even its id.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import Update
from telegram.error import TelegramError

from bot.languages import first_language
from channels.i18n import message as translated
from channels.telegram.application import BotGate
from channels.telegram.parse import Conversation, GroupChat, Parsed, parse_update
from collection.flood import TooManyMessagesError
from collection.intake import Intake, IntakeResult
from collection.routing import LOBBY_LANGUAGES

log = logging.getLogger(__name__)

GROUPS_REMEMBERED = 1000
"""Groups answered recently, in memory, so a burst of group messages gets one answer."""


@dataclass(frozen=True)
class Outcome:
    """What became of an update (for tests and logs; never holds a chat id)."""

    parsed: Parsed
    result: IntakeResult | None = None


@dataclass
class TelegramHandler:
    intake: Intake
    gate: BotGate
    notify: Callable[[], None] = lambda: None
    """Wakes the outbox dispatcher after replies were queued."""
    _answered_groups: OrderedDict[int, None] = field(default_factory=OrderedDict)

    async def handle(self, update: Update) -> Outcome:
        parsed = parse_update(update)
        result = None
        if isinstance(parsed, Conversation):
            try:
                result = await self.intake.handle(parsed.message, budget=self.intake.inline_budget)
            except TooManyMessagesError:
                # Dropped, not refused: Telegram would resend it, and a poller must not
                # stall every chat for one that floods (no person types 30 a minute).
                log.warning("telegram: too many messages from one chat; update dropped")
            else:
                if result.replies and not result.replayed:
                    self.notify()
        elif isinstance(parsed, GroupChat):
            await self._private_only(parsed)
        else:
            log.debug("telegram update ignored: %s", parsed.reason)
        if parsed.callback_id is not None:
            await self._answer_tap(parsed.callback_id)
        return Outcome(parsed, result)

    async def _answer_tap(self, callback_id: str) -> None:
        try:
            bot = await self.gate.bot()
            await bot.answer_callback_query(callback_id)
        except TelegramError as error:
            # Too old or answered already: the tap itself was handled (or was stale).
            log.info("telegram tap not answered: %s", type(error).__name__)

    async def _private_only(self, group: GroupChat) -> None:
        if group.chat_id in self._answered_groups:
            return
        self._answered_groups[group.chat_id] = None
        while len(self._answered_groups) > GROUPS_REMEMBERED:
            self._answered_groups.popitem(last=False)
        language = first_language(LOBBY_LANGUAGES, group.language_hint)
        try:
            bot = await self.gate.bot()
            await bot.send_message(group.chat_id, translated("private_only", language))
            await bot.leave_chat(group.chat_id)
        except TelegramError as error:
            log.info("telegram group not answered: %s", type(error).__name__)


__all__ = ["Outcome", "TelegramHandler"]
