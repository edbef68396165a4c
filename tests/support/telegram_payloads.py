"""Real Telegram Bot API update payloads kept as JSON under ``tests/fixtures/telegram/``.

Why: the Telegram channel must cope with what Telegram actually sends (photos, stickers, voice
notes, group and channel posts, edits, Welsh-speaking users), not only with the tidy text messages
an emulator makes up. Each file is one ``Update`` object exactly as the Bot API documents it
(https://core.telegram.org/bots/api#update); ``tests/test_telegram_payloads.py`` proves that
python-telegram-bot parses every one without unknown fields.

Use ``load_update(name)`` in a test, then either ``telegram.Update.de_json(data, bot)`` to feed a
handler directly, or ``TelegramHarness.send_update(data)`` to deliver it through the emulator.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "telegram"

UPDATE_NAMES: tuple[str, ...] = (
    "private_text",
    "start_deep_link",
    "start_plain",
    "callback_query",
    "photo_with_caption",
    "photo_without_caption",
    "sticker",
    "voice",
    "location",
    "group_text",
    "channel_post",
    "edited_message",
    "welsh_text",
)
"""Every fixture file, by stem: a test that loops over these sees a new payload type at once."""


@cache
def _read(name: str) -> dict[str, Any]:
    """Parse a fixture once per session; callers get deep copies, so the cache stays pristine."""
    data: dict[str, Any] = json.loads((FIXTURES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def load_update(name: str) -> dict[str, Any]:
    """Return a fresh, mutable copy of the ``Update`` stored in ``<name>.json``.

    A copy because tests routinely change ids, dates or text, and ``Update.de_json`` itself
    mutates the dict it is given.
    """
    return copy.deepcopy(_read(name))
