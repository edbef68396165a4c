"""An engine reply as a Telegram message: the text, and its choices as an inline keyboard.

Buttons carry `"<turn>:<value>"` as their callback data: the turn lets the engine
ignore a tap on an older message, and values are short ids (`YES`, `TICK 2`),
never a person's words, so the data always fits Telegram's 64 bytes. The top-two
picker shows one button per statement, ticked ones marked, and offers Confirm
once two are ticked (Telegram has no greyed-out buttons: absent is disabled).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.model import Button, Reply
from channels.render import button_label, reply_text

log = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 64
MAX_TEXT = 4096
"""Telegram's longest message; ours are far shorter, but a summary must never fail to send."""
MAX_LABEL = 60
TICK = "\u2705 "
PICK_PREFIX = "TICK "
CONFIRM = "CONFIRM"
ROW_CHARS = 24
"""Short translated labels (Yes / No, Done / Skip) share a row when they fit a phone."""


@dataclass(frozen=True)
class Rendered:
    text: str
    markup: InlineKeyboardMarkup | None


def callback_data(turn: int, value: str) -> str | None:
    """The data a button sends back, or None if it would not fit in 64 bytes."""
    data = f"{turn}:{value}"
    return data if len(data.encode()) <= MAX_CALLBACK_BYTES else None


def is_picker(reply: Reply) -> bool:
    """True for the top-two picker (its message is edited in place on every tap)."""
    return any(b.value.startswith(PICK_PREFIX) for b in reply.buttons)


def render(reply: Reply, language: str) -> Rendered:
    text = reply_text(reply, language)
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "\u2026"
    return Rendered(text=text, markup=keyboard(reply, language))


def keyboard(reply: Reply, language: str) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    picker = is_picker(reply)
    rows: list[list[InlineKeyboardButton]] = []
    short: list[InlineKeyboardButton] = []
    for button in reply.buttons:
        if picker and button.value == CONFIRM and len(reply.ticked) < 2:
            continue
        made = _button(reply, button, language)
        if made is None:
            continue
        if button.literal or picker:
            rows.append([made])
        else:
            short.append(made)
    if short:
        if sum(len(b.text) for b in short) <= ROW_CHARS:
            rows.append(short)
        else:
            rows.extend([b] for b in short)
    return InlineKeyboardMarkup(rows) if rows else None


def _button(reply: Reply, button: Button, language: str) -> InlineKeyboardButton | None:
    data = callback_data(reply.turn, button.value)
    if data is None:
        log.error("button value too long for Telegram; left out (key %s)", reply.key)
        return None
    prefix = ""
    if button.value.startswith(PICK_PREFIX):
        number = button.value[len(PICK_PREFIX) :]
        ticked = number.isdigit() and int(number) in reply.ticked
        prefix = (TICK if ticked else "") + f"{number}) "
    label = button_label(button.label, button.literal, language)
    room = MAX_LABEL - len(prefix)
    if len(label) > room:
        label = label[: room - 1].rstrip() + "\u2026"
    return InlineKeyboardButton(prefix + label, callback_data=data)


__all__ = ["Rendered", "callback_data", "is_picker", "keyboard", "render"]
