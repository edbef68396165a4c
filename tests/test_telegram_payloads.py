"""The stored Telegram update payloads are real Bot API objects that python-telegram-bot parses.

Why: these fixtures stand in for Telegram in every channel test. A misspelt or invented field
would silently land in PTB's ``api_kwargs`` and the test would prove nothing, so besides parsing
each file we check that no object carries unknown fields and that nothing is lost on the way back
to JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from telegram import Bot, Message, TelegramObject, Update
from telegram.constants import ChatType, MessageEntityType

from tests.support.telegram_payloads import FIXTURES_DIR, UPDATE_NAMES, load_update


@pytest.fixture(scope="module")
def offline_bot() -> Bot:
    """A Bot that is never initialised: ``de_json`` needs one only to attach shortcut methods."""
    return Bot("7123456789:offline-test-token")


def _objects(value: Any) -> Iterator[TelegramObject]:
    """Yield every TelegramObject nested in ``value`` (PTB keeps lists as tuples)."""
    if isinstance(value, TelegramObject):
        yield value
        for child in value.to_dict(recursive=False).values():
            yield from _objects(child)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _objects(item)


def _assert_subset(original: Any, round_trip: Any, path: str = "update") -> None:
    """Every field of the JSON file must come back unchanged from ``Update.to_dict()``.

    Only a subset check: PTB adds defaults such as ``delete_chat_photo: False``.
    """
    if isinstance(original, dict):
        assert isinstance(round_trip, dict), path
        for key, value in original.items():
            assert key in round_trip, f"{path}.{key} lost in parsing"
            _assert_subset(value, round_trip[key], f"{path}.{key}")
    elif isinstance(original, list):
        assert isinstance(round_trip, list | tuple), path
        assert len(original) == len(round_trip), path
        for index, (left, right) in enumerate(zip(original, round_trip, strict=True)):
            _assert_subset(left, right, f"{path}[{index}]")
    else:
        assert original == round_trip, f"{path}: {original!r} != {round_trip!r}"


def test_every_fixture_file_is_listed() -> None:
    """A JSON file nobody loads is a payload nobody tests."""
    on_disk = {path.stem for path in FIXTURES_DIR.glob("*.json")}
    assert on_disk == set(UPDATE_NAMES)


@pytest.mark.parametrize("name", UPDATE_NAMES)
def test_fixture_parses_without_unknown_fields(name: str, offline_bot: Bot) -> None:
    """``Update.de_json`` accepts the payload, knows every field, and loses none of them."""
    data = load_update(name)
    update = Update.de_json(load_update(name), offline_bot)

    assert update.update_id == data["update_id"]
    for obj in _objects(update):
        assert not obj.api_kwargs, f"{name}: unknown fields in {type(obj).__name__}"
    _assert_subset(data, update.to_dict())


def _private_text(update: Update) -> None:
    assert update.message is not None
    assert update.message.text is not None and update.message.text.startswith("The staff listen")
    assert update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


def _start_deep_link(update: Update) -> None:
    message = update.message
    assert message is not None
    assert message.text == "/start PARK"
    assert message.parse_entities([MessageEntityType.BOT_COMMAND]).popitem()[1] == "/start"
    assert message.text.split(maxsplit=1)[1] == "PARK"


def _start_plain(update: Update) -> None:
    message = update.message
    assert message is not None
    assert message.text == "/start"
    assert list(message.parse_entities([MessageEntityType.BOT_COMMAND]).values()) == ["/start"]


def _callback_query(update: Update) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data == "top:2"
    assert query.chat_instance
    assert isinstance(query.message, Message) and query.message.reply_markup is not None
    buttons = [row[0].callback_data for row in query.message.reply_markup.inline_keyboard]
    assert query.data in buttons


def _photo_with_caption(update: Update) -> None:
    message = update.message
    assert message is not None
    assert message.caption == "This is the garden where I like to sit"
    assert message.text is None
    assert message.photo[-1].width == 800  # PhotoSize list runs smallest to largest


def _photo_without_caption(update: Update) -> None:
    message = update.message
    assert message is not None
    assert message.photo and message.caption is None and message.text is None


def _sticker(update: Update) -> None:
    message = update.message
    assert message is not None and message.sticker is not None
    assert message.sticker.emoji == "👍"
    assert message.text is None


def _voice(update: Update) -> None:
    message = update.message
    assert message is not None and message.voice is not None
    # Read through to_dict: PTB 22 deprecates the int `duration` attribute (timedelta soon).
    assert message.voice.to_dict()["duration"] == 7
    assert message.voice.mime_type == "audio/ogg"


def _location(update: Update) -> None:
    message = update.message
    assert message is not None and message.location is not None
    assert message.location.latitude == pytest.approx(51.481583)


def _group_text(update: Update) -> None:
    assert update.effective_chat is not None
    assert update.effective_chat.type == ChatType.GROUP
    assert update.effective_chat.id < 0
    assert update.effective_user is not None and update.effective_user.id > 0


def _channel_post(update: Update) -> None:
    assert update.channel_post is not None and update.message is None
    assert update.effective_chat is not None and update.effective_chat.type == ChatType.CHANNEL
    assert update.effective_user is None  # channel posts have no `from`
    assert update.channel_post.sender_chat is not None


def _edited_message(update: Update) -> None:
    assert update.edited_message is not None and update.message is None
    assert update.edited_message.edit_date is not None
    assert update.edited_message.edit_date > update.edited_message.date


def _welsh_text(update: Update) -> None:
    assert update.effective_user is not None
    assert update.effective_user.language_code == "cy"


CHECKS: dict[str, Callable[[Update], None]] = {
    "private_text": _private_text,
    "start_deep_link": _start_deep_link,
    "start_plain": _start_plain,
    "callback_query": _callback_query,
    "photo_with_caption": _photo_with_caption,
    "photo_without_caption": _photo_without_caption,
    "sticker": _sticker,
    "voice": _voice,
    "location": _location,
    "group_text": _group_text,
    "channel_post": _channel_post,
    "edited_message": _edited_message,
    "welsh_text": _welsh_text,
}


@pytest.mark.parametrize("name", UPDATE_NAMES)
def test_fixture_means_what_its_name_says(name: str, offline_bot: Bot) -> None:
    """Each payload exercises the case it is named for, as PTB's accessors report it."""
    CHECKS[name](Update.de_json(load_update(name), offline_bot))
