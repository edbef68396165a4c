"""Telegram without a network: real Bot API updates parsed, replies drawn as keyboards."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, Update

from bot.model import Button, Group, Reply
from channels.telegram.parse import Conversation, GroupChat, Ignored, parse_update
from channels.telegram.render import MAX_CALLBACK_BYTES, callback_data, is_picker, render
from tests.support.telegram_payloads import UPDATE_NAMES, load_update

BOT = Bot("7123456789:offline-token")


def _update(data: dict[str, Any]) -> Update:
    update = Update.de_json(data, BOT)
    assert update is not None
    return update


def _conversation(name: str, **changes: Any) -> Conversation:
    data = load_update(name)
    data["message"].update(changes)
    parsed = parse_update(_update(data))
    assert isinstance(parsed, Conversation), parsed
    return parsed


def test_every_stored_update_parses_without_error() -> None:
    """Each real payload is understood as something: a conversation, a group, or ignored."""
    for name in UPDATE_NAMES:
        assert isinstance(
            parse_update(_update(load_update(name))), Conversation | GroupChat | Ignored
        )


def test_a_private_text_is_a_message_from_the_chat_with_the_update_id() -> None:
    """The chat id is the address, update_id the external id, language_code the hint."""
    message = _conversation("private_text").message
    assert message.channel == "telegram"
    assert message.address == "5012345678"
    assert message.external_id == "804519001"
    assert message.kind == "text"
    assert message.text.startswith("The staff listen to me")
    assert message.language_hint == "en"
    assert message.join_code is None


def test_start_with_a_code_joins_that_programme() -> None:
    """`/start PARK` (a t.me deep link) joins PARK; the text is START, never a statement."""
    message = _conversation("start_deep_link").message
    assert message.join_code == "PARK"
    assert message.text == "START"


def test_plain_start_joins_nothing() -> None:
    """`/start` alone leaves routing to ask for the code."""
    message = _conversation("start_plain").message
    assert message.join_code is None
    assert message.text == "START"


@pytest.mark.parametrize(
    ("command", "keyword"),
    [
        ("/help", "HELP"),
        ("/stop", "STOP"),
        ("/language", "LANGUAGE"),
        ("/restart", "RESTART"),
        ("/STOP", "STOP"),
        ("/help@wtfc_collect_bot", "HELP"),
        ("/whatever", "HELP"),
    ],
)
def test_commands_are_keywords(command: str, keyword: str) -> None:
    """Each menu command is the keyword of the same name; an unknown one is HELP."""
    entities = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    message = _conversation("start_plain", text=command, entities=entities).message
    assert message.text == keyword


def test_a_deep_link_code_that_telegram_would_not_send_is_not_joined() -> None:
    """Only what Telegram allows in a start parameter is taken as a code."""
    entities = [{"offset": 0, "length": 6, "type": "bot_command"}]
    message = _conversation("start_plain", text="/start PARK; DROP", entities=entities).message
    assert message.join_code is None


def test_a_slash_inside_a_sentence_is_just_text() -> None:
    """Without a bot_command entity at the start, the words are an answer."""
    message = _conversation("private_text", text="Help/support at night").message
    assert message.text == "Help/support at night"


@pytest.mark.parametrize("name", ["photo_without_caption", "sticker", "voice", "location"])
def test_pictures_stickers_voice_and_places_are_media(name: str) -> None:
    """They get a kind request for words."""
    message = _conversation(name).message
    assert message.kind == "media"
    assert message.text == ""


def test_a_photo_caption_is_kept_as_the_words() -> None:
    """The engine keeps a caption as the answer it is."""
    message = _conversation("photo_with_caption").message
    assert message.kind == "media"
    assert message.text == "This is the garden where I like to sit"


def test_a_tap_is_a_button_input_with_its_turn() -> None:
    """`7:YES` is the value YES, drawn on turn 7."""
    data = load_update("callback_query")
    data["callback_query"]["data"] = "7:YES"
    parsed = parse_update(_update(data))
    assert isinstance(parsed, Conversation)
    assert parsed.callback_id == "4521985123401234567"
    assert (parsed.message.kind, parsed.message.text, parsed.message.turn) == ("button", "YES", 7)
    assert parsed.message.address == "5012345678"


@pytest.mark.parametrize("data", ["top:2", "", "7", "7:", ":YES", "1234567890123:YES"])
def test_a_tap_on_a_button_we_never_drew_is_only_answered(data: str) -> None:
    """Foreign or malformed callback data reaches nobody, but the tap is still answered."""
    update = load_update("callback_query")
    update["callback_query"]["data"] = data
    parsed = parse_update(_update(update))
    assert isinstance(parsed, Ignored)
    assert parsed.callback_id == "4521985123401234567"


@pytest.mark.parametrize("name", ["group_text", "channel_post"])
def test_groups_and_channels_are_not_conversations(name: str) -> None:
    """A group or channel is told we work in private chats; nothing goes to the intake."""
    parsed = parse_update(_update(load_update(name)))
    assert isinstance(parsed, GroupChat)
    assert parsed.chat_id < 0


def test_being_added_to_a_group_is_a_group() -> None:
    """The bot added to a group answers there once, like a message in it."""
    update = {
        "update_id": 804519020,
        "my_chat_member": {
            "chat": {"id": -4012345678, "title": "Day centre friends", "type": "group"},
            "from": {"id": 5098765432, "is_bot": False, "first_name": "Dev", "language_code": "cy"},
            "date": 1732615680,
            "old_chat_member": {
                "user": {"id": 7123456789, "is_bot": True, "first_name": "W"},
                "status": "left",
            },
            "new_chat_member": {
                "user": {"id": 7123456789, "is_bot": True, "first_name": "W"},
                "status": "member",
            },
        },
    }
    parsed = parse_update(_update(update))
    assert parsed == GroupChat(chat_id=-4012345678, language_hint="cy")


def test_an_edit_changes_nothing() -> None:
    """The first version of a statement stands; an edit is not a new answer."""
    assert isinstance(parse_update(_update(load_update("edited_message"))), Ignored)


# ---- rendering ----------------------------------------------------------------------------


def _rows(reply: Reply, language: str = "en") -> list[list[tuple[str, str]]]:
    markup = render(reply, language).markup
    assert markup is not None
    return [[(b.text, str(b.callback_data)) for b in row] for row in markup.inline_keyboard]


def test_consent_is_two_buttons_on_one_row_carrying_the_turn() -> None:
    """Yes and No side by side; each sends `<turn>:<value>`."""
    reply = Reply(
        key="ask_consent", buttons=(Button("btn_yes", "YES"), Button("btn_no", "NO")), turn=3
    )
    assert _rows(reply) == [[("Yes", "3:YES"), ("No", "3:NO")]]
    assert render(reply, "en").text.startswith("Reply YES to take part")


def test_long_labels_get_a_row_each() -> None:
    """The perspective buttons would be cut off side by side on a phone."""
    reply = Reply(
        key="ask_perspective", buttons=(Button("btn_myself", "1"), Button("btn_carer", "2")), turn=4
    )
    assert _rows(reply) == [[("For myself", "4:1")], [("As a carer or family", "4:2")]]


def test_labels_are_translated() -> None:
    """Done and Skip in Welsh for a Welsh conversation."""
    reply = Reply(
        key="ask_working", buttons=(Button("btn_done", "DONE"), Button("btn_skip", "SKIP")), turn=5
    )
    labels = [text for row in _rows(reply, "cy") for text, _ in row]
    assert labels[0] == "Wedi gorffen"
    assert "Done" not in labels


def _picker(ticked: tuple[int, ...] = (), items: tuple[str, ...] = ("a", "b", "c")) -> Reply:
    buttons = tuple(Button(item, f"TICK {n}", literal=True) for n, item in enumerate(items, 1))
    return Reply(
        key="ask_pick",
        groups=(Group(items=items),),
        buttons=(*buttons, Button("btn_confirm", "CONFIRM")),
        ticked=ticked,
        turn=9,
    )


def test_the_picker_has_a_button_per_statement_and_no_confirm_before_two() -> None:
    """One row per statement, numbered as in the list; Confirm only once two are ticked."""
    assert is_picker(_picker())
    assert _rows(_picker()) == [
        [("1) a", "9:TICK 1")],
        [("2) b", "9:TICK 2")],
        [("3) c", "9:TICK 3")],
    ]
    one = _rows(_picker(ticked=(2,)))
    assert one[1] == [("\u2705 2) b", "9:TICK 2")] and len(one) == 3


def test_two_ticked_show_their_marks_and_confirm() -> None:
    """Ticks on the chosen two, and Confirm at the bottom."""
    rows = _rows(_picker(ticked=(3, 1)))
    assert [text for row in rows for text, _ in row] == [
        "\u2705 1) a",
        "2) b",
        "\u2705 3) c",
        "Confirm",
    ]
    assert rows[-1] == [("Confirm", "9:CONFIRM")]


def test_callback_data_carries_ids_not_words_and_fits_64_bytes() -> None:
    """Even with five 60-character statements in Urdu, every button's data is short."""
    long_words = tuple("\u0645\u06cc\u0631\u06d2 " * 15 for _ in range(5))
    reply = _picker(ticked=(1, 2), items=long_words)
    markup = render(reply, "ur").markup
    assert markup is not None
    for row in markup.inline_keyboard:
        for button in row:
            assert button.callback_data is not None
            assert len(str(button.callback_data).encode()) <= MAX_CALLBACK_BYTES
            assert len(button.text) <= 60
    assert callback_data(10**9, "x" * 60) is None


def test_a_reply_without_buttons_has_no_keyboard() -> None:
    """Plain messages (thank you, help) are text only."""
    rendered = render(Reply(key="help"), "en")
    assert rendered.markup is None
    assert "BACK to undo" in rendered.text
