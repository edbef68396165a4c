"""The Telegram test harness works: python-telegram-bot talks to the emulator as to Telegram.

Why: the Telegram channel's tests will stand on this harness. If PTB could not get updates,
send keyboards, answer callbacks and edit markup through it, those tests would fail for the
harness's sake, or, worse, pass against behaviour Telegram does not have. Each deviation of
telegram-test-api that the shim repairs is pinned here so an upgrade that changes it shows up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Conflict
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support import telegram_emulator as telegram_support
from tests.support.telegram_emulator import TelegramHarness, TelegramUser
from tests.support.telegram_payloads import load_update

telegram_emulator = telegram_support.telegram_emulator  # session: node emulator + shim
telegram_harness = telegram_support.telegram_harness  # per test: a fresh bot token

MEGAN = TelegramUser(5012345678, "Megan", last_name="Hughes", username="megan_h")
RHYS = TelegramUser(5055501234, "Rhys", language_code="cy")
KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Choosing my activities", callback_data="top:1")],
        [InlineKeyboardButton("Staff who listen", callback_data="top:2")],
    ]
)


@pytest.fixture
async def bot(telegram_harness: TelegramHarness) -> AsyncIterator[Bot]:
    """A plain PTB Bot on the emulator, initialised (getMe) and shut down cleanly."""
    async with Bot(telegram_harness.token, base_url=telegram_harness.base_url) as bot:
        yield bot


def _assert_recent(when: float) -> None:
    """Dates must be Unix seconds near now; the raw emulator stamps milliseconds."""
    assert abs(when - time.time()) < 120


async def test_get_me_says_is_bot_and_the_token_id(
    bot: Bot, telegram_harness: TelegramHarness
) -> None:
    """Raw getMe lacks `is_bot` (PTB TypeError) and says id 666 for every bot."""
    me = await bot.get_me()
    assert me.is_bot is True
    assert me.id == telegram_harness.bot_id == int(telegram_harness.token.split(":")[0])
    assert me.username == "TestNameBot"


async def test_methods_the_emulator_lacks_answer_true_and_are_recorded(
    bot: Bot, telegram_harness: TelegramHarness
) -> None:
    """setMyCommands, sendChatAction... fail upstream with a 500 that PTB calls NetworkError."""
    commands = [BotCommand("start", "Begin"), BotCommand("stop", "Stop messages")]
    assert await bot.set_my_commands(commands) is True
    assert await bot.send_chat_action(MEGAN.id, "typing") is True
    assert await bot.delete_webhook(drop_pending_updates=True) is True

    [call] = telegram_harness.recorded_calls("setMyCommands")
    assert call.params["commands"] == [c.to_dict() for c in commands]
    assert telegram_harness.recorded_calls("sendChatAction")[0].params["action"] == "typing"
    assert telegram_harness.recorded_calls("deleteWebhook")[0].params == {
        "drop_pending_updates": True
    }


async def test_text_command_keyboard_callback_answer_and_edit(
    bot: Bot, telegram_harness: TelegramHarness
) -> None:
    """The whole exchange the channel relies on, through a plain Bot and getUpdates."""
    tg = telegram_harness
    tg.send_text(MEGAN, "/start PARK")
    [update] = await bot.get_updates(timeout=2)
    message = update.message
    assert message is not None and message.text == "/start PARK"
    assert message.from_user is not None and message.from_user.id == MEGAN.id
    assert message.parse_entities(["bot_command"]).popitem()[1] == "/start"
    assert not message.api_kwargs, "emulator-internal fields must not reach the bot"
    _assert_recent(message.date.timestamp())

    sent = await bot.send_message(MEGAN.id, "Which matters most?", reply_markup=KEYBOARD)
    assert sent.reply_markup == KEYBOARD
    assert sent.from_user is not None and sent.from_user.id == tg.bot_id
    _assert_recent(sent.date.timestamp())

    [reply] = tg.bot_replies(MEGAN.id)
    assert reply.message_id == sent.message_id
    assert reply.text == "Which matters most?"
    assert reply.callback_data() == ["top:1", "top:2"]
    assert reply.button_texts() == ["Choosing my activities", "Staff who listen"]

    tg.send_callback("top:2", sent.message_id)
    [update] = await bot.get_updates(offset=update.update_id + 1, timeout=2)
    query = update.callback_query
    assert query is not None and query.data == "top:2"
    assert query.chat_instance, "raw emulator callback queries lack chat_instance"
    assert query.from_user.id == MEGAN.id
    assert query.message is not None and query.message.message_id == sent.message_id

    assert await query.answer("Thank you") is True
    edited = await query.edit_message_reply_markup(reply_markup=None)
    assert isinstance(edited, type(sent))
    assert edited.reply_markup is None and edited.edit_date is not None

    [answer] = tg.recorded_calls("answerCallbackQuery")
    assert answer.params == {"callback_query_id": query.id, "text": "Thank you"}
    [edit] = tg.recorded_calls("editMessageReplyMarkup")
    assert edit.params == {"chat_id": MEGAN.id, "message_id": sent.message_id}
    [reply] = tg.bot_replies()
    assert reply.reply_markup is None and reply.edits == 1 and reply.callback_data() == []

    # As on Telegram: a query is answered once, and an edit must change something.
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer()
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await query.edit_message_reply_markup(reply_markup=None)
    # And the user cannot press a button that is gone.
    with pytest.raises(ValueError, match="no button"):
        tg.send_callback("top:1", sent.message_id)


async def test_edit_text_and_keyboard_kinds(bot: Bot, telegram_harness: TelegramHarness) -> None:
    """editMessageText answers a Message; a reply keyboard is kept only in the request."""
    tg = telegram_harness
    keyboard = ReplyKeyboardMarkup([["Yes", "No"]], one_time_keyboard=True)
    asked = await bot.send_message(RHYS.id, "Ydych chi'n hapus?", reply_markup=keyboard)
    assert asked.reply_markup is None  # Telegram returns only inline keyboards in a Message
    [reply] = tg.bot_replies()
    assert reply.button_texts() == ["Yes", "No"]

    sent = await bot.send_message(RHYS.id, "Choose", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("Chosen", chat_id=RHYS.id, message_id=sent.message_id)
    assert isinstance(edited, type(sent)) and edited.text == "Chosen"
    assert tg.bot_replies()[-1].text == "Chosen"
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=RHYS.id, message_id=999_999)


LONG_POLL = 20
"""A long poll far longer than the message takes to come, however busy the machine."""


async def test_updates_wait_for_confirmation_and_long_poll(
    bot: Bot, telegram_harness: TelegramHarness
) -> None:
    """getUpdates keeps updates until `offset` confirms them, and long-polls on `timeout`."""
    tg = telegram_harness
    tg.send_text(MEGAN, "one")
    first = await bot.get_updates(timeout=0)
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in first] == [u.update_id for u in again]
    assert await bot.get_updates(offset=first[-1].update_id + 1, timeout=0) == ()

    async def user_types_later() -> None:
        await asyncio.sleep(0.3)
        tg.send_text(MEGAN, "two")

    started = time.monotonic()
    typing = asyncio.create_task(user_types_later())
    [update] = await bot.get_updates(offset=first[-1].update_id + 1, timeout=LONG_POLL)
    await typing
    assert update.message is not None and update.message.text == "two"
    # It waited for the message and answered when it came, not at the poll's timeout.
    assert 0.25 < time.monotonic() - started < LONG_POLL


async def test_group_chats_and_injected_payloads(
    bot: Bot, telegram_harness: TelegramHarness
) -> None:
    """A group message keeps its chat type, and any stored payload can be delivered in order."""
    tg = telegram_harness
    group: dict[str, Any] = {"id": -4012345678, "type": "group", "title": "Day centre friends"}
    tg.send_text(RHYS, "/start@TestNameBot", chat=group)
    tg.send_update(load_update("photo_with_caption"))
    tg.send_update(load_update("channel_post"))
    updates = await bot.get_updates(timeout=2)

    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    command, photo, post = updates
    assert command.effective_chat is not None and command.effective_chat.type == "group"
    assert command.effective_user is not None and command.effective_user.language_code == "cy"
    assert photo.message is not None and photo.message.caption is not None
    assert post.channel_post is not None and post.effective_user is None

    sent = await bot.send_message(group["id"], "Hello group")
    assert sent.chat.type == "group" and sent.chat.title == "Day centre friends"


async def test_webhook_is_recorded_not_called(bot: Bot, telegram_harness: TelegramHarness) -> None:
    """The raw emulator would POST updates to the URL; Telegram refuses getUpdates meanwhile."""
    assert await bot.set_webhook("https://collect.example.org/telegram/hook") is True
    info = await bot.get_webhook_info()
    assert info.url == "https://collect.example.org/telegram/hook"
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook() is True
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates(timeout=0) == ()


async def test_tokens_do_not_share_messages(telegram_harness: TelegramHarness) -> None:
    """Each test's bot sees only its own users, so session-wide servers stay independent."""
    other = telegram_harness.emulator.harness("7199999999:another-bot")
    other.send_text(MEGAN, "for the other bot")
    async with Bot(telegram_harness.token, base_url=telegram_harness.base_url) as mine:
        assert await mine.get_updates(timeout=0) == ()
    assert other.recorded_calls() == [] and telegram_harness.bot_replies() == []


async def test_shim_speaks_bot_api_errors(telegram_harness: TelegramHarness) -> None:
    """Unknown chats are Bot API errors (400 with a description), not emulator 500s."""
    url = f"{telegram_harness.base_url}{telegram_harness.token}/sendMessage"
    async with httpx.AsyncClient() as client:
        response = await client.post(url, data={"chat_id": "@nobody", "text": "hi"})
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: chat not found",
    }


# --- a PTB Application, as the Telegram channel will run it ---------------------------------


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    code = context.args[0] if context.args else "none"
    await update.effective_message.reply_text(
        f"Welcome ({code}). Which matters most?", reply_markup=KEYBOARD
    )


async def _chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await context.bot.send_message(query.message.chat.id, f"You chose {query.data}")


async def _text(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(f"Thanks: {update.effective_message.text}")


def _build(tg: TelegramHarness, *, polling: bool) -> Application:  # type: ignore[type-arg]
    builder = ApplicationBuilder().token(tg.token).base_url(tg.base_url)
    if not polling:
        builder = builder.updater(None)
    app = builder.build()
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_chosen, pattern=r"^top:"))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _text))
    return app


async def test_application_polls_and_handles_a_conversation(
    telegram_harness: TelegramHarness,
) -> None:
    """Application + Updater long polling: deep link, keyboard, button press, free text."""
    tg = telegram_harness
    app = _build(tg, polling=True)
    async with app:  # initialize(): getMe
        assert app.updater is not None
        # post_init runs only under run_polling()/run_webhook(); this is its job done by hand.
        await app.bot.set_my_commands([BotCommand("start", "Begin")])
        await app.updater.start_polling(poll_interval=0.0, timeout=1, drop_pending_updates=True)
        await app.start()
        try:
            tg.send_text(MEGAN, "/start PARK")
            [welcome] = await tg.wait_for_replies(1)
            assert welcome.text == "Welcome (PARK). Which matters most?"
            assert welcome.callback_data() == ["top:1", "top:2"]

            tg.send_callback("top:1", welcome.message_id)
            replies = await tg.wait_for_replies(2)
            assert replies[1].text == "You chose top:1"
            assert replies[0].reply_markup is None, "the keyboard is removed once used"

            tg.send_text(MEGAN, "The staff listen")
            replies = await tg.wait_for_replies(3)
            assert replies[2].text == "Thanks: The staff listen"
        finally:
            await app.updater.stop()
            await app.stop()

    assert [c.params["commands"] for c in tg.recorded_calls("setMyCommands")] == [
        [{"command": "start", "description": "Begin"}]
    ]
    assert len(tg.recorded_calls("answerCallbackQuery")) == 1
    assert tg.recorded_calls("deleteWebhook")[0].params["drop_pending_updates"] is True


async def test_application_without_updater_processes_fetched_updates(
    telegram_harness: TelegramHarness,
) -> None:
    """With ``.updater(None)`` the channel feeds updates itself (as a webhook endpoint would)."""
    tg = telegram_harness
    app = _build(tg, polling=False)
    async with app:
        tg.send_text(RHYS, "/start")
        for update in await app.bot.get_updates(timeout=2):
            await app.process_update(update)
        [welcome] = tg.bot_replies(RHYS.id)
        assert welcome.text == "Welcome (none). Which matters most?"

        tg.send_callback("top:2", welcome.message_id)
        updates = await app.bot.get_updates(offset=update.update_id + 1, timeout=2)
        for update in updates:
            await app.process_update(update)
        await app.bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)

    replies = tg.bot_replies(RHYS.id)
    assert [r.text for r in replies] == [welcome.text, "You chose top:2"]
    assert replies[0].edits == 1
