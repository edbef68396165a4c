"""Whole conversations in Telegram, end to end, against the Bot API emulator.

The app runs as `wtfc serve` runs it (lifespan: start-up, outbox dispatcher, and polling or
the webhook); a person on the emulator's side types and taps buttons; what they see is what
the emulator recorded. Only Telegram's servers are stood in for (telegram-test-api + shim).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from typing import Any, Protocol

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from channels.telegram.application import COMMANDS, webhook_secret
from channels.telegram.webhook import SECRET_HEADER
from collection.models import Pick, Response, Statement
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.conftest import suite_settings
from tests.support import telegram_emulator as telegram_support
from tests.support.telegram_emulator import BotReply, TelegramHarness, TelegramUser
from wtfc.app import build_services, create_app

telegram_emulator = telegram_support.telegram_emulator
telegram_harness = telegram_support.telegram_harness

MEGAN = TelegramUser(5012345678, "Megan", last_name="Hughes", username="megan_h")
RHYS = TelegramUser(5055501234, "Rhys", language_code="cy")
TIMEOUT = 10.0


class Person(Protocol):
    """Someone in a private chat with the bot: types, taps, and sees the replies."""

    user: TelegramUser
    tg: TelegramHarness

    async def say(self, text: str) -> None: ...

    async def tap(self, reply: BotReply, value: str) -> None: ...


class PollingPerson:
    """Writes through the emulator's client API; the app fetches it with getUpdates."""

    def __init__(self, tg: TelegramHarness, user: TelegramUser) -> None:
        self.tg, self.user = tg, user

    async def say(self, text: str) -> None:
        self.tg.send_text(self.user, text)

    async def tap(self, reply: BotReply, value: str) -> None:
        self.tg.send_callback(_data(reply, value), reply.message_id, user=self.user)


class WebhookPerson:
    """Telegram pushing this person's updates to the app's webhook route."""

    _ids = itertools.count(900_000_001)

    def __init__(
        self, tg: TelegramHarness, user: TelegramUser, http: httpx.AsyncClient, secret: str
    ) -> None:
        self.tg, self.user, self.http, self.secret = tg, user, http, secret

    async def _post(self, update: dict[str, Any]) -> None:
        answer = await self.http.post(
            "/webhooks/telegram", content=json.dumps(update), headers={SECRET_HEADER: self.secret}
        )
        assert answer.status_code == 200, answer.text

    async def say(self, text: str) -> None:
        update_id = next(self._ids)
        message: dict[str, Any] = {
            "message_id": update_id % 100_000,
            "from": self.user.as_user(),
            "chat": self.user.private_chat(),
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
        await self._post({"update_id": update_id, "message": message})

    async def tap(self, reply: BotReply, value: str) -> None:
        update_id = next(self._ids)
        await self._post(
            {
                "update_id": update_id,
                "callback_query": {
                    "id": f"webhook-{update_id}",
                    "from": self.user.as_user(),
                    "message": reply.message,
                    "chat_instance": "-8834019284",
                    "data": _data(reply, value),
                },
            }
        )


def _data(reply: BotReply, value: str) -> str:
    """The callback data of the button sending `value` (it must be on the message now)."""
    found = [d for d in reply.callback_data() if d.split(":", 1)[1] == value]
    assert found, f"no {value} button on {reply.text!r}: {reply.callback_data()}"
    return found[0]


def _settings(database_url: str, tg: TelegramHarness, public_url: str | None = None) -> Settings:
    """Telegram on the emulator; 50 a second per chat so tests need not wait (see the sender's)."""
    return suite_settings(
        database_url,
        WTFC_PUBLIC_URL=public_url,
        TELEGRAM_BOT_TOKEN=tg.token,
        TELEGRAM_API_BASE_URL=tg.base_url,
        TELEGRAM_CHAT_MPS=50.0,
    )


@pytest.fixture
def settings(database_url: str, telegram_harness: TelegramHarness) -> Settings:
    """Polling mode: no public URL."""
    return _settings(database_url, telegram_harness)


async def _programme(services: Services, languages: list[str]) -> None:
    async with services.sessions() as session, session.begin():
        await create_programme(
            session=session,
            name="Park Centre",
            code="PARK",
            purpose="We want to hear you.",
            languages=languages,
        )


@pytest.fixture
async def running(services: Services) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running, as under `wtfc serve`."""
    await _programme(services, ["en", "cy"])
    app = create_app(services.settings, services=services)
    async with app.router.lifespan_context(app):
        yield app


async def _next(person: Person, count: int, before: int) -> list[BotReply]:
    replies = await person.tg.wait_for_replies(
        before + count, chat_id=person.user.id, timeout=TIMEOUT
    )
    return replies[before : before + count]


async def _say(person: Person, text: str, expect: int) -> list[BotReply]:
    before = len(person.tg.bot_replies(person.user.id))
    await person.say(text)
    return await _next(person, expect, before)


async def _tap(person: Person, reply: BotReply, value: str, expect: int) -> list[BotReply]:
    before = len(person.tg.bot_replies(person.user.id))
    await person.tap(reply, value)
    return await _next(person, expect, before)


async def _tick(person: Person, value: str, edits: int) -> BotReply:
    """Tap a statement on the picker; the same message comes back edited."""
    picker = person.tg.bot_replies(person.user.id)[-1]
    await person.tap(picker, value)
    await person.tg.wait_for_calls("editMessageReplyMarkup", edits, timeout=TIMEOUT)
    updated = person.tg.bot_replies(person.user.id)[-1]
    assert updated.message_id == picker.message_id and updated.edits == edits
    return updated


async def _conversation_by_buttons(person: Person, services: Services) -> None:
    """Join by deep link, then consent, perspective, Done, the picker, summary, follow-up."""
    welcome, consent, languages = await _say(person, "/start PARK", 3)
    assert welcome.text is not None and welcome.text.startswith("Hello from Park Centre.")
    assert consent.button_texts() == ["Yes", "No"]
    assert languages.text is not None and "CYMRAEG" in languages.text

    [perspective] = await _tap(person, consent, "YES", 1)
    assert perspective.button_texts() == ["For myself", "As a carer or family"]
    # An old button (No, on the consent question already answered): answered, nothing else.
    stale_before = len(person.tg.bot_replies(person.user.id))
    await person.tap(consent, "NO")
    await person.tg.wait_for_calls("answerCallbackQuery", 2, timeout=TIMEOUT)

    [working] = await _tap(person, perspective, "1", 1)
    assert len(person.tg.bot_replies(person.user.id)) == stale_before + 1
    assert working.text is not None and working.text.startswith("What is working well")
    assert working.button_texts() == ["Done", "Skip"]
    for words in ("Going out on Fridays", "My own flat"):
        [thanks] = await _say(person, words, 1)
        assert thanks.button_texts() == ["Done"]
    [thanks] = await _say(person, "My dog", 1)

    [picker] = await _tap(person, thanks, "DONE", 1)
    assert picker.button_texts() == ["1) Going out on Fridays", "2) My own flat", "3) My dog"]
    ticked = await _tick(person, "TICK 1", 1)
    assert ticked.button_texts()[0] == "\u2705 1) Going out on Fridays"
    assert "Confirm" not in ticked.button_texts()
    picker = await _tick(person, "TICK 3", 2)
    assert picker.button_texts() == [
        "\u2705 1) Going out on Fridays",
        "2) My own flat",
        "\u2705 3) My dog",
        "Confirm",
    ]

    [not_working] = await _tap(person, picker, "CONFIRM", 1)
    assert not_working.text is not None and not_working.text.startswith("What is not working")
    [thanks] = await _say(person, "The bus is late", 1)
    [future] = await _tap(person, thanks, "DONE", 1)
    assert future.text is not None and future.text.startswith("What is important")
    [summary] = await _tap(person, future, "SKIP", 1)
    assert summary.text is not None and "Going out on Fridays" in summary.text
    assert "My own flat" not in summary.text
    assert summary.button_texts() == ["Yes", "Change"]
    [followup] = await _tap(person, summary, "YES", 1)
    [goodbye] = await _tap(person, followup, "YES", 1)
    assert goodbye.text == "Thank you for taking part. What you said will help change things."

    async with services.sessions() as session:
        response = (await session.execute(select(Response))).scalar_one()
        statements = (
            (
                await session.execute(
                    select(Statement).order_by(Statement.category, Statement.position)
                )
            )
            .scalars()
            .all()
        )
        picks = (await session.execute(select(Pick).order_by(Pick.category, Pick.rank))).scalars()
        picked = {(pick.category, pick.rank): pick.statement_id for pick in picks}
    assert response.status == "complete" and response.follow_up is True
    assert response.perspective == "person" and response.channel == "telegram"
    texts = {s.id: s.text for s in statements}
    assert {k: texts[v] for k, v in picked.items()} == {
        ("working", 1): "Going out on Fridays",
        ("working", 2): "My dog",
        ("not_working", 1): "The bus is late",
    }
    taps = 11  # consent, the stale No, perspective, Done x2, 2 ticks, Confirm, Skip, Yes x2
    await person.tg.wait_for_calls("answerCallbackQuery", taps, timeout=TIMEOUT)


async def test_a_whole_conversation_by_tapping_buttons_in_polling_mode(
    running: FastAPI, services: Services, telegram_harness: TelegramHarness
) -> None:
    """No public URL: the app polls getUpdates itself; every step but the answers is a tap."""
    tg = telegram_harness
    await _conversation_by_buttons(PollingPerson(tg, MEGAN), services)
    menus = {c.params.get("language_code"): c.params for c in tg.recorded_calls("setMyCommands")}
    assert set(menus) == {None, "cy", "pl", "ur"}
    commands = menus[None]
    assert [c["command"] for c in commands["commands"]] == [c.command for c in COMMANDS]
    assert [c["description"] for c in menus["cy"]["commands"]] == [
        "Beth allwch chi ei anfon",
        "Atal pob neges",
        "Dewis iaith arall",
        "Dechrau eich atebion eto",
    ]
    assert tg.recorded_calls("deleteWebhook") and not tg.recorded_calls("setWebhook")
    answered = [c.params["callback_query_id"] for c in tg.recorded_calls("answerCallbackQuery")]
    assert len(answered) == len(set(answered))


async def test_a_whole_conversation_by_typing_in_polling_mode(
    running: FastAPI, services: Services, telegram_harness: TelegramHarness
) -> None:
    """Typed code, YES, numbers and DONE work in Telegram exactly as by SMS."""
    person = PollingPerson(telegram_harness, MEGAN)
    await _say(person, "park", 3)
    await _say(person, "yes", 1)
    await _say(person, "2", 1)
    for words in ("Going out", "My flat", "My dog"):
        await _say(person, words, 1)
    [pick] = await _say(person, "done", 1)
    assert pick.text is not None and "1) Going out" in pick.text
    await _say(person, "1 3", 1)
    await _say(person, "The bus", 1)
    await _say(person, "done", 1)
    await _say(person, "A job", 1)
    [summary] = await _say(person, "done", 1)
    assert summary.text is not None and summary.text.startswith("Here is what matters most")
    await _say(person, "yes", 1)
    [goodbye] = await _say(person, "no", 1)
    assert goodbye.text is not None and goodbye.text.startswith("Thank you for taking part")
    async with services.sessions() as session:
        response = (await session.execute(select(Response))).scalar_one()
        picks = (await session.execute(select(Pick))).scalars().all()
    assert response.status == "complete" and response.follow_up is False
    assert response.perspective == "carer"
    assert len(picks) == 4
    assert telegram_harness.recorded_calls("answerCallbackQuery") == []


async def test_commands_work_as_keywords(
    running: FastAPI, telegram_harness: TelegramHarness
) -> None:
    """/help answers with help and the question again; /stop stops everything."""
    person = PollingPerson(telegram_harness, MEGAN)
    await _say(person, "/start PARK", 3)
    help_text, again = await _say(person, "/help", 2)
    assert help_text.text is not None and help_text.text.startswith("Send your answer in words")
    assert again.button_texts() == ["Yes", "No"]
    [stopped] = await _say(person, "/stop", 1)
    assert stopped.text == "You will get no more messages from us. Reply START to come back."
    await person.say("hello?")
    await asyncio.sleep(1.0)
    assert len(telegram_harness.bot_replies(MEGAN.id)) == 6


async def test_a_welsh_phone_gets_the_conversation_in_welsh(
    running: FastAPI, telegram_harness: TelegramHarness
) -> None:
    """language_code `cy`, and the programme offers Welsh: Welsh text and Welsh buttons."""
    person = PollingPerson(telegram_harness, RHYS)
    welcome, consent, _ = await _say(person, "/start PARK", 3)
    assert welcome.text is not None and not welcome.text.startswith("Hello")
    assert consent.button_texts() and consent.button_texts() != ["Yes", "No"]


async def test_a_group_gets_one_answer_and_the_bot_leaves(
    running: FastAPI, services: Services, telegram_harness: TelegramHarness
) -> None:
    """Private chats only: one answer in the group, then leaveChat; nothing stored."""
    tg = telegram_harness
    group_id = -4012345678
    group = {"id": group_id, "type": "group", "title": "Day centre friends"}
    tg.send_text(MEGAN, "PARK", chat=group)
    tg.send_text(MEGAN, "Hello bot", chat=group)
    [answer] = await tg.wait_for_replies(1, chat_id=group_id, timeout=TIMEOUT)
    assert answer.text == "Sorry, I only work in private chats. Please message me directly."
    await tg.wait_for_calls("leaveChat", 1, timeout=TIMEOUT)
    await asyncio.sleep(0.5)
    assert len(tg.bot_replies(group_id)) == 1
    async with services.sessions() as session:
        assert (await session.execute(select(Response))).first() is None


async def test_a_whole_conversation_by_tapping_buttons_in_webhook_mode(
    database_url: str, services: Services, telegram_harness: TelegramHarness
) -> None:
    """With WTFC_PUBLIC_URL the webhook is registered and updates come to our route."""
    tg = telegram_harness
    settings = _settings(database_url, tg, public_url="https://wtfc.example.org")
    webhook_services = build_services(settings)  # on the database `services` has emptied
    await _programme(webhook_services, ["en", "cy"])
    app = create_app(settings, services=webhook_services)
    async with app.router.lifespan_context(app):
        [hook] = await tg.wait_for_calls("setWebhook", 1, timeout=TIMEOUT)
        assert hook.params["url"] == "https://wtfc.example.org/webhooks/telegram"
        assert hook.params["secret_token"] == webhook_secret(settings)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            person = WebhookPerson(tg, MEGAN, http, webhook_secret(settings))
            await _conversation_by_buttons(person, services)
    assert not tg.recorded_calls("deleteWebhook")
