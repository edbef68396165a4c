"""A Bot API `Update` as the intake needs it: who wrote, what, and which kind of input.

Only private chats take part. Telegram commands become our keywords (`/stop` is
STOP), so the engine never needs to know about Telegram; `/start PARK` (what a
`t.me/<bot>?start=PARK` deep link sends) joins programme PARK. A button tap
carries `"<turn>:<value>"`, so a tap on an older message is recognised as stale
by the engine. Nothing here touches the network or the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Message, Update
from telegram.constants import ChatType, MessageEntityType

from collection.intake import InboundMessage

CHANNEL = "telegram"

COMMANDS: dict[str, str] = {
    "start": "START",
    "help": "HELP",
    "stop": "STOP",
    "language": "LANGUAGE",
    "restart": "RESTART",
}
"""Commands and the keyword each one is; any other command is taken as HELP."""

_DEEP_LINK = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What Telegram allows in a `start` parameter."""
_TURN_DIGITS = 9


@dataclass(frozen=True)
class Conversation:
    """Something a person said or tapped in their private chat: for the intake."""

    message: InboundMessage
    callback_id: str | None = None
    """The tap to answer (every tap is answered, or the button keeps spinning)."""


@dataclass(frozen=True)
class GroupChat:
    """A message in a group or channel: say once that we only work in private chats."""

    chat_id: int
    language_hint: str | None = None
    callback_id: str | None = None


@dataclass(frozen=True)
class Ignored:
    """Nothing for the conversation: an edit, a poll, a tap on a button we never drew."""

    reason: str
    callback_id: str | None = None


Parsed = Conversation | GroupChat | Ignored


MALFORMED = (AttributeError, TypeError, ValueError, IndexError, KeyError, OverflowError)
"""What reading a field of the wrong type raises (python-telegram-bot never checks them)."""


def parse_update(update: Update) -> Parsed:
    """Decide what an update is for; never raises, even on a malformed update.

    python-telegram-bot builds an `Update` from any JSON without checking types, so a
    field may be missing or hold a number where text belongs. Telegram never sends
    such updates, but whoever holds the webhook secret could, and a poller must not
    stall on one. So an update that cannot be read, or whose parts are not of the
    types the intake takes, is `Ignored("malformed update")`, never an exception
    (which the webhook would answer with a 500, and Telegram retry for a day).
    """
    try:
        parsed = _parse(update)
    except MALFORMED:
        return Ignored("malformed update")
    return parsed if _well_typed(parsed) else Ignored("malformed update")


def _well_typed(parsed: Parsed) -> bool:
    """Everything that leaves this module is of its declared type."""
    if not _optional_str(parsed.callback_id):
        return False
    if isinstance(parsed, GroupChat):
        return _is_int(parsed.chat_id) and _optional_str(parsed.language_hint)
    if isinstance(parsed, Conversation):
        message = parsed.message
        return (
            isinstance(message.text, str)
            and _optional_str(message.language_hint)
            and _optional_str(message.join_code)
        )
    return True


def _optional_str(value: object) -> bool:
    return value is None or isinstance(value, str)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse(update: Update) -> Parsed:
    query = update.callback_query
    if query is not None:
        return _parse_tap(update)
    joined = _bot_added_to_group(update)
    if joined is not None:
        return joined
    if update.edited_message is not None or update.edited_channel_post is not None:
        # The engine has no way to replace a statement; the first version stands.
        return Ignored("edited message")
    message = update.message or update.channel_post
    if message is None:
        return Ignored("not a message")
    chat = message.chat
    if not _is_int(chat.id):
        return Ignored("malformed chat")
    hint = message.from_user.language_code if message.from_user else None
    if chat.type != ChatType.PRIVATE:
        return GroupChat(chat_id=chat.id, language_hint=hint)
    address = str(chat.id)
    external_id = str(update.update_id)
    if message.text is not None:
        return Conversation(_text_message(message, message.text, address, external_id, hint))
    if message.effective_attachment is not None:
        # A photo, sticker, voice note, location...: a kind request for words; a caption
        # is kept as the answer it is.
        return Conversation(
            InboundMessage(
                channel=CHANNEL,
                address=address,
                text=message.caption or "",
                external_id=external_id,
                kind="media",
                language_hint=hint,
            )
        )
    return Ignored("service message")


def _text_message(
    message: Message, text: str, address: str, external_id: str, hint: str | None
) -> InboundMessage:
    command, argument = _command(message, text)
    if command is None:
        return InboundMessage(
            channel=CHANNEL, address=address, text=text, external_id=external_id, language_hint=hint
        )
    join_code = None
    if command in ("start", "join") and argument and _DEEP_LINK.fullmatch(argument):
        join_code = argument
    # The keyword, not the command text: an unknown deep-link code or "/start" in the
    # middle of the questions must never be stored as someone's answer.
    return InboundMessage(
        channel=CHANNEL,
        address=address,
        text=COMMANDS.get(command, "HELP"),
        external_id=external_id,
        join_code=join_code,
        language_hint=hint,
    )


def _command(message: Message, text: str) -> tuple[str | None, str]:
    """`("start", "PARK")` for `/start PARK` (or `/start@our_bot PARK`); `(None, "")` if none."""
    for entity in message.entities:
        if entity.type == MessageEntityType.BOT_COMMAND and entity.offset == 0:
            word = text[1 : entity.length].split("@", 1)[0].lower()
            return word, text[entity.length :].strip()
    return None, ""


def _parse_tap(update: Update) -> Parsed:
    query = update.callback_query
    assert query is not None
    chat = query.message.chat if query.message is not None else None
    if chat is not None and chat.type != ChatType.PRIVATE:
        return Ignored("tap outside a private chat", query.id)
    chat_id = chat.id if chat is not None else query.from_user.id
    if not _is_int(chat_id):
        return Ignored("malformed chat", query.id)
    turn, _, value = (query.data or "").partition(":")
    if not (turn.isascii() and turn.isdigit() and len(turn) <= _TURN_DIGITS and value):
        return Ignored("not one of our buttons", query.id)
    return Conversation(
        InboundMessage(
            channel=CHANNEL,
            address=str(chat_id),
            text=value,
            external_id=str(update.update_id),
            kind="button",
            turn=int(turn),
            language_hint=query.from_user.language_code,
        ),
        callback_id=query.id,
    )


def _bot_added_to_group(update: Update) -> GroupChat | Ignored | None:
    member = update.my_chat_member
    if member is None:
        return None
    if member.chat.type == ChatType.PRIVATE:
        return Ignored("private chat membership")  # blocking the bot is noticed on sending
    if member.new_chat_member.status in ("member", "administrator"):
        return GroupChat(chat_id=member.chat.id, language_hint=member.from_user.language_code)
    return Ignored("left a group")


__all__ = ["CHANNEL", "COMMANDS", "Conversation", "GroupChat", "Ignored", "Parsed", "parse_update"]
