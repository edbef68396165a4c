"""The Telegram webhook with real Bot API updates: secret checked, stored before 200, deduplicated.

Telegram's servers are replaced by an offline request class (python-telegram-bot's own test
approach), so every Bot API call the channel makes is seen; the database is the real one.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.model import reply_from_dict
from channels.telegram.application import COMMANDS, webhook_secret
from channels.telegram.lifecycle import TelegramChannel
from channels.telegram.render import render
from channels.telegram.webhook import SECRET_HEADER
from collection.db import is_sqlite
from collection.flood import SenderLimiter
from collection.inbound_workers import InboundWorkers
from collection.models import InboundLog, OutboxMessage, Participant, Response, Statement
from collection.outbox import Dispatcher
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.conftest import TEST_SECRET
from tests.support.busy_database import holding_the_database
from tests.support.telegram_offline import OfflineBotApi, offline_channel
from tests.support.telegram_payloads import load_update
from wtfc.app import build_senders, build_services, create_app

TOKEN = "7123456789:offline-test-token"
MEGAN = 5012345678
RHYS = 5055501234


# The suite's settings with a Telegram bot (webhook mode: a public URL is set).
pytestmark = pytest.mark.settings(
    WTFC_PUBLIC_URL="https://wtfc.example.org",
    TELEGRAM_BOT_TOKEN=TOKEN,
)


@dataclass
class Bench:
    http: httpx.AsyncClient
    api: OfflineBotApi
    services: Services
    channel: TelegramChannel
    secret: str

    async def post(self, update: dict[str, Any] | bytes, secret: str | None = "") -> int:
        headers = {} if secret is None else {SECRET_HEADER: secret or self.secret}
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        answer = await self.http.post("/webhooks/telegram", content=body, headers=headers)
        return answer.status_code

    async def outbox(self) -> list[OutboxMessage]:
        async with self.services.sessions() as session:
            rows = await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
            return list(rows.scalars())

    async def count(self, model: Any) -> int:
        async with self.services.sessions() as session:
            return int(
                (await session.execute(select(func.count()).select_from(model))).scalar_one()
            )


@pytest.fixture
async def bench(settings: Settings, services: Services) -> AsyncIterator[Bench]:
    async with services.sessions() as session, session.begin():
        await create_programme(
            session=session,
            name="Park Centre",
            code="PARK",
            purpose="We want to hear you.",
            languages=["en", "cy"],
        )
    api = OfflineBotApi()
    channel = offline_channel(services, api)
    app = create_app(services.settings, services=services, background=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield Bench(http, api, services, channel, webhook_secret(services.settings))
    await channel.close()


def _tap(update_id: int, data: str, chat_id: int = MEGAN) -> dict[str, Any]:
    update = load_update("callback_query")
    update["update_id"] = update_id
    query = update["callback_query"]
    query["id"] = f"cb-{update_id}"
    query["data"] = data
    query["from"]["id"] = query["message"]["chat"]["id"] = chat_id
    return update


def _start(update_id: int = 1, chat_id: int = MEGAN, language: str = "en") -> dict[str, Any]:
    update = load_update("start_deep_link")
    update["update_id"] = update_id
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = chat_id
    update["message"]["from"]["language_code"] = language
    return update


def _text(update_id: int, text: str, chat_id: int = MEGAN) -> dict[str, Any]:
    update = load_update("private_text")
    update["update_id"] = update_id
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = chat_id
    update["message"]["text"] = text
    return update


@pytest.mark.parametrize("secret", [None, "wrong", "", "caf\u00e9"])
async def test_a_missing_or_forged_secret_is_refused_and_changes_nothing(
    bench: Bench, secret: str | None
) -> None:
    """403, nothing stored, nothing sent: only Telegram knows the secret."""
    headers: dict[str, str] = {} if secret is None else {SECRET_HEADER: secret}
    answer = await bench.http.post(
        "/webhooks/telegram",
        content=json.dumps(_start()).encode("utf-8"),
        headers={k.encode(): v.encode("utf-8") for k, v in headers.items()},
    )
    assert answer.status_code == 403
    assert await bench.count(InboundLog) == 0
    assert await bench.count(Participant) == 0
    assert await bench.count(OutboxMessage) == 0
    assert bench.api.calls == []


async def test_the_update_is_stored_and_its_replies_queued_before_the_200(bench: Bench) -> None:
    """By the time Telegram hears 200, the update and the replies are in the database."""
    assert await bench.post(_start(update_id=804519002)) == 200
    async with bench.services.sessions() as session:
        log = (await session.execute(select(InboundLog))).scalar_one()
        assert log.external_id == "804519002" and log.channel == "telegram"
        assert (await session.execute(select(Response))).scalar_one().programme_id is not None
    keys = [row.payload["key"] for row in await bench.outbox()]
    assert keys == ["welcome", "ask_consent", "offer_languages"]
    assert {row.status for row in await bench.outbox()} == {"queued"}


async def test_a_value_the_database_cannot_hold_is_a_400_not_a_retry(bench: Bench) -> None:
    """A NUL in the sender's language code (what a mutated update can hold): PostgreSQL
    cannot store it, so Telegram hears 400 (never a 4xx/5xx of another kind, or a retry)
    and nothing is half-stored. SQLite stores it like any text."""
    status = await bench.post(_start(update_id=804519010, language="e\x00n"))
    if is_sqlite(bench.services.settings.database_url):
        assert status == 200
    else:
        assert status == 400
        assert await bench.count(InboundLog) == 0
    assert await bench.post(_text(804519011, "PARK", chat_id=RHYS)) == 200  # the next is taken


async def test_a_busy_database_is_a_503_within_the_accept_timeout_and_the_update_is_kept(
    bench: Bench,
) -> None:
    """Another worker holds the database: the webhook stops waiting (a fifth of a second
    here, 4 s by default) and Telegram hears 503; storing carries on, so the update is
    kept once the database is free, and Telegram's retry of it changes nothing."""
    bench.services.intake.accept_timeout = 0.2
    async with holding_the_database(bench.services.settings.database_url):
        status = await asyncio.wait_for(bench.post(_start(update_id=7)), 60)  # a hang guard
    assert status == 503
    assert await bench.services.intake.settle(60) == 0
    assert await bench.count(InboundLog) == 1
    assert await bench.post(_start(update_id=7)) == 200  # Telegram's retry: stored once
    assert await bench.count(InboundLog) == 1
    assert await InboundWorkers(bench.services.intake).drain() == 1
    assert [row.payload["key"] for row in await bench.outbox()][:1] == ["welcome"]


async def test_a_repeated_update_changes_nothing(bench: Bench) -> None:
    """Telegram resending update 5 (we were slow to answer) stores and queues nothing more."""
    await bench.post(_start(update_id=4))
    for _ in range(2):
        assert await bench.post(_text(5, "Answer: the garden")) == 200
    first = [(row.id, row.payload["key"]) for row in await bench.outbox()]
    assert await bench.post(_text(5, "Answer: the garden")) == 200
    assert [(row.id, row.payload["key"]) for row in await bench.outbox()] == first
    assert await bench.count(InboundLog) == 2


async def test_a_tap_answers_the_question_and_is_answered(bench: Bench) -> None:
    """Tapping Yes under the consent question consents; the tap is answered."""
    await bench.post(_start(update_id=10))
    consent = next(r for r in await bench.outbox() if r.payload["key"] == "ask_consent")
    assert await bench.post(_tap(11, f"{consent.payload['turn']}:YES")) == 200
    assert (await bench.outbox())[-1].payload["key"] == "ask_perspective"
    assert bench.api.called("answerCallbackQuery") == [{"callback_query_id": "cb-11"}]


async def test_a_stale_tap_is_answered_and_changes_nothing(bench: Bench) -> None:
    """Tapping No on the consent question after consenting: answered, nothing else."""
    await bench.post(_start(update_id=20))
    consent = next(r for r in await bench.outbox() if r.payload["key"] == "ask_consent")
    turn = consent.payload["turn"]
    await bench.post(_tap(21, f"{turn}:YES"))
    async with bench.services.sessions() as session:
        before = (await session.execute(select(Response))).scalar_one().state
    queued = len(await bench.outbox())
    assert await bench.post(_tap(22, f"{turn}:NO")) == 200
    assert len(await bench.outbox()) == queued
    async with bench.services.sessions() as session:
        response = (await session.execute(select(Response))).scalar_one()
    assert response.state == before and response.status == "active"
    assert [c["callback_query_id"] for c in bench.api.called("answerCallbackQuery")] == [
        "cb-21",
        "cb-22",
    ]


async def test_a_foreign_button_is_answered_and_reaches_nobody(bench: Bench) -> None:
    """The stored callback_query fixture carries data we never draw (`top:2`)."""
    assert await bench.post(load_update("callback_query")) == 200
    assert bench.api.called("answerCallbackQuery") == [{"callback_query_id": "4521985123401234567"}]
    assert await bench.count(InboundLog) == 0
    assert await bench.count(Participant) == 0


async def test_a_group_is_answered_once_and_nothing_is_stored(bench: Bench) -> None:
    """Two messages in a group: one "private chats only" answer, the bot leaves, no rows."""
    for update_id in (30, 31):
        update = load_update("group_text")
        update["update_id"] = update_id
        assert await bench.post(update) == 200
    [sent] = bench.api.called("sendMessage")
    assert sent["chat_id"] == -4012345678
    assert sent["text"] == "Sorry, I only work in private chats. Please message me directly."
    assert bench.api.called("leaveChat") == [{"chat_id": -4012345678}]
    for model in (InboundLog, Participant, Response, OutboxMessage):
        assert await bench.count(model) == 0


async def test_a_channel_post_is_answered_once_and_nothing_is_stored(bench: Bench) -> None:
    """A channel the bot was added to is treated like a group."""
    assert await bench.post(load_update("channel_post")) == 200
    assert [c["chat_id"] for c in bench.api.called("sendMessage")] == [-1002012345678]
    assert await bench.count(InboundLog) == 0


@pytest.mark.parametrize("name", ["sticker", "voice", "location", "photo_without_caption"])
async def test_media_gets_a_kind_reply_asking_for_words(bench: Bench, name: str) -> None:
    """A sticker, a voice note, a place, a photo: "we need words", and the question again."""
    update = load_update(name)
    chat_id = update["message"]["chat"]["id"]
    await bench.post(_start(update_id=40, chat_id=chat_id))
    await bench.post(_text(41, "YES", chat_id))
    await bench.post(_text(42, "1", chat_id))
    queued = len(await bench.outbox())
    assert await bench.post(update) == 200
    keys = [row.payload["key"] for row in (await bench.outbox())[queued:]]
    assert keys == ["no_media", "ask_working"]
    assert await bench.count(Statement) == 0


async def test_a_photo_caption_is_kept_as_a_statement(bench: Bench) -> None:
    """The words under a picture are an answer."""
    await bench.post(_start(update_id=50))
    await bench.post(_text(51, "YES"))
    await bench.post(_text(52, "1"))
    await bench.post(load_update("photo_with_caption"))
    async with bench.services.sessions() as session:
        statement = (await session.execute(select(Statement))).scalar_one()
    assert statement.text == "This is the garden where I like to sit"


async def test_a_welsh_telegram_gets_welsh_when_the_programme_offers_it(bench: Bench) -> None:
    """language_code `cy` and a programme in English and Welsh: the conversation is Welsh."""
    await bench.post(_start(update_id=60, chat_id=RHYS, language="cy"))
    rows = await bench.outbox()
    assert {row.language for row in rows} == {"cy"}
    consent = next(r for r in rows if r.payload["key"] == "ask_consent")
    rendered = render(reply_from_dict(consent.payload), "cy")
    assert rendered.markup is not None
    labels = [b.text for row in rendered.markup.inline_keyboard for b in row]
    assert labels != ["Yes", "No"]
    assert "Reply YES" not in rendered.text


async def test_a_welsh_telegram_gets_english_when_the_programme_is_english_only(
    bench: Bench,
) -> None:
    """The hint only picks among the programme's languages."""
    async with bench.services.sessions() as session, session.begin():
        await create_programme(session=session, name="Only English", code="ONLY")
    update = _start(update_id=70, chat_id=RHYS, language="cy")
    update["message"]["text"] = "/start ONLY"
    await bench.post(update)
    assert {row.language for row in await bench.outbox()} == {"en"}


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'"text"',
        b"{}",
        b'{"update_id": "7"}',
        b'{"update_id": true}',
        b'{"update_id": 7, "message": "hello"}',
        b'{"update_id": 7, "message": {"text": "x"}}',
        b"\xff\xfe",
        b'{"update_id": 7, "callback_query": 5}',
    ],
)
async def test_a_body_that_is_not_an_update_is_400(bench: Bench, body: bytes) -> None:
    """Malformed JSON or a wrong shape: 400 (never 500, which Telegram retries), nothing kept."""
    assert await bench.post(body) == 400
    assert await bench.count(InboundLog) == 0


async def test_updates_we_do_not_use_are_200_and_change_nothing(bench: Bench) -> None:
    """An edited message: accepted (Telegram must not resend it) and ignored."""
    assert await bench.post(load_update("edited_message")) == 200
    assert await bench.count(InboundLog) == 0
    assert bench.api.calls == []


async def test_the_database_being_down_is_503(database_url: str, settings: Settings) -> None:
    """Telegram keeps the update and sends it again; the answer is not a 500."""
    down = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere"}
    )
    services = build_services(down)
    api = OfflineBotApi()
    offline_channel(services, api, down)
    app = create_app(down, services=services, background=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        answer = await http.post(
            "/webhooks/telegram",
            content=json.dumps(_start()).encode(),
            headers={SECRET_HEADER: webhook_secret(down)},
        )
    assert answer.status_code == 503
    await services.close()


async def test_without_a_bot_token_there_is_no_telegram_route(
    database_url: str, services: Services
) -> None:
    """Telegram is off unless TELEGRAM_BOT_TOKEN is set."""
    plain = Settings(WTFC_DATABASE_URL=database_url, WTFC_SECRET_KEY=TEST_SECRET)
    off = build_services(plain)
    app = create_app(plain, services=off, background=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        answer = await http.post("/webhooks/telegram", content=b"{}")
    assert answer.status_code in (404, 405)
    assert build_senders(off) == {}
    await off.close()


async def test_queued_replies_go_out_with_their_keyboards(bench: Bench) -> None:
    """The dispatcher sends each reply as a message; buttons carry `<turn>:<value>`."""
    await bench.post(_start(update_id=80))
    dispatcher = Dispatcher(
        bench.services.sessions, bench.services.vault, build_senders(bench.services)
    )
    while await dispatcher.run_once():
        pass
    sent = bench.api.called("sendMessage")
    assert [s["chat_id"] for s in sent] == [MEGAN] * 3
    assert sent[0]["text"].startswith("Hello from Park Centre.")
    consent = next(r for r in await bench.outbox() if r.payload["key"] == "ask_consent")
    turn = consent.payload["turn"]
    assert sent[1]["reply_markup"] == {
        "inline_keyboard": [
            [
                {"text": "Yes", "callback_data": f"{turn}:YES"},
                {"text": "No", "callback_data": f"{turn}:NO"},
            ]
        ]
    }
    assert {row.status for row in await bench.outbox()} == {"sent"}
    ids = [row.provider_id for row in await bench.outbox()]
    assert all(i is not None and i.isdigit() for i in ids) and len(set(ids)) == 3


async def test_start_up_registers_the_commands_and_the_webhook_with_its_secret(
    bench: Bench,
) -> None:
    """setMyCommands with /help /stop /language /restart; setWebhook with the secret."""
    await bench.channel.start_up()
    [commands] = [c for c in bench.api.called("setMyCommands") if "language_code" not in c]
    assert [c["command"] for c in commands["commands"]] == [c.command for c in COMMANDS]
    assert {c["command"] for c in commands["commands"]} == {"help", "stop", "language", "restart"}
    [hook] = bench.api.called("setWebhook")
    assert hook["url"] == "https://wtfc.example.org/webhooks/telegram"
    assert hook["secret_token"] == bench.secret
    assert "callback_query" in hook["allowed_updates"]
    assert bench.api.called("deleteWebhook") == []


async def test_start_up_sets_the_command_menu_in_each_language(bench: Bench) -> None:
    """One setMyCommands per language the product speaks (language_code), each translated."""
    await bench.channel.start_up()
    menus = {
        call.get("language_code"): {c["command"]: c["description"] for c in call["commands"]}
        for call in bench.api.called("setMyCommands")
    }
    assert set(menus) == {None, "cy", "pl", "ur"}
    assert menus[None] == {
        "help": "What you can send",
        "stop": "Stop all messages",
        "language": "Choose another language",
        "restart": "Start your answers again",
    }
    assert menus["cy"] == {
        "help": "Beth allwch chi ei anfon",
        "stop": "Atal pob neges",
        "language": "Dewis iaith arall",
        "restart": "Dechrau eich atebion eto",
    }
    assert menus["pl"]["stop"] == "Zatrzymaj wszystkie wiadomości"
    assert menus["ur"]["language"] == "دوسری زبان منتخب کریں"


def test_the_generated_secret_is_stable_and_differs_per_bot(settings: Settings) -> None:
    """Every process derives the same secret from WTFC_SECRET_KEY; another bot gets another."""
    same = Settings(**{**settings.model_dump(by_alias=False)})
    assert webhook_secret(settings) == webhook_secret(same)
    other = settings.model_copy(update={"telegram_bot_token": "7123456780:another"})
    assert webhook_secret(other) != webhook_secret(settings)
    assert len(webhook_secret(settings)) == 64
    given = settings.model_copy(update={"telegram_webhook_secret": "set-by-the-operator"})
    assert webhook_secret(given) == "set-by-the-operator"


async def test_plain_start_asks_for_the_code(bench: Bench) -> None:
    """`/start` with no code, from someone in no conversation: offered the one programme."""
    assert await bench.post(load_update("start_plain")) == 200
    [reply] = await bench.outbox()
    assert reply.payload["key"] in ("offer_programme", "unknown_sender")
    assert await bench.count(Response) == 0


async def test_start_in_the_middle_carries_on_and_stores_nothing(bench: Bench) -> None:
    """`/start` while answering is "welcome back" and the question again, not a statement."""
    await bench.post(_start(update_id=90))
    await bench.post(_text(91, "YES"))
    await bench.post(_text(92, "1"))
    queued = len(await bench.outbox())
    update = load_update("start_plain")
    update["update_id"] = 93
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = MEGAN
    await bench.post(update)
    assert [r.payload["key"] for r in (await bench.outbox())[queued:]] == [
        "welcome_back",
        "ask_working",
    ]
    assert await bench.count(Statement) == 0


async def test_a_flooding_chat_is_dropped_not_refused(bench: Bench) -> None:
    """Past the intake's per-sender limit: 200 (Telegram must not resend), nothing stored."""
    bench.services.intake.limiter = SenderLimiter(limit=2)
    assert await bench.post(_start(update_id=100)) == 200
    assert await bench.post(_text(101, "YES")) == 200
    assert await bench.post(_text(102, "1")) == 200
    assert await bench.count(InboundLog) == 2


async def test_answers_stay_in_the_programme_and_a_deep_link_switches(bench: Bench) -> None:
    """Typed "Friends" and "1 3" stay PARK's answers; `/start FRIENDS` switches, kindly."""
    async with bench.services.sessions() as session, session.begin():
        await create_programme(session=session, name="Friends Centre", code="FRIENDS")
    await bench.post(_start(update_id=70))
    answers = ["YES", "1", "Friends", "friends", "Going out", "DONE", "1 3", "Friends"]
    for number, text in enumerate(answers, 71):
        await bench.post(_text(number, text))
    async with bench.services.sessions() as session:
        assert await session.scalar(select(func.count(Response.id))) == 1
        texts = (await session.execute(select(Statement.text).order_by(Statement.id))).scalars()
        assert list(texts) == ["Friends", "friends", "Going out", "Friends"]
    queued = len(await bench.outbox())
    link = _start(update_id=90)
    link["message"]["text"] = "/start FRIENDS"
    await bench.post(link)
    told = (await bench.outbox())[queued:]
    assert [r.payload["key"] for r in told] == ["switched_programme", "welcome", "ask_consent"]
    said = render(reply_from_dict(told[0].payload), "en").text
    assert "kept, paused" in said and "JOIN PARK" in said
    assert await bench.count(Response) == 2
    back = _start(update_id=91)
    back["message"]["text"] = "/join PARK"
    back["message"]["entities"][0]["length"] = len("/join")
    queued = len(await bench.outbox())
    await bench.post(back)
    keys = [r.payload["key"] for r in (await bench.outbox())[queued:]]
    assert keys == ["switched_programme", "welcome_back", "ask_not_working"]
