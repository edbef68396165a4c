"""A 'you said, we did' round end to end: SMS and WhatsApp against Prism, Telegram on the emulator.

People take part by signed Twilio webhooks (SMS, WhatsApp) and through the
intake (Telegram, the kiosk); a lead writes and sends the round through the
API; the app's own senders, built from settings as under `wtfc serve`, send it
through the real outbox dispatcher. Twilio's side is Prism serving Twilio's
OpenAPI description (behind a recording proxy), Telegram's the telegram-test-api
emulator. WhatsApp outside the 24-hour window must go as an approved template.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update

from channels.twilio.outbox_sender import twilio_senders
from collection.models import FeedbackReply, InboundLog, OutboxMessage, Participant, Statement
from collection.outbox import Dispatcher
from collection.runtime import Services
from collection.settings import Settings
from tests.conftest import suite_settings
from tests.support import telegram_emulator as telegram_support
from tests.support.admin import bearer, login, make_user, new_token
from tests.support.fault_proxy import (
    UNSUBSCRIBED,
    Fault,
    FaultProxy,
    RecordedRequest,
    fault_proxy_fixture,
)
from tests.support.feedback import park, say
from tests.support.prism import prism_fixture, twilio_spec
from tests.support.telegram_emulator import TelegramHarness
from tests.support.twilio_client import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, TwilioWebhookClient
from tests.test_feedback import take_part_without_follow_up_question
from wtfc.app import build_senders, close_senders, create_app

twilio_prism = prism_fixture(twilio_spec, name="twilio_prism")
twilio_proxy = fault_proxy_fixture("twilio_prism", name="twilio_proxy")
telegram_emulator = telegram_support.telegram_emulator
telegram_harness = telegram_support.telegram_harness

PUBLIC = "https://wtfc.example.org"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
EN = "You said the bus was always late. From June the 10 comes every 15 minutes."
CY = "Dywedoch fod y bws wastad yn hwyr. O fis Mehefin, daw'r 10 bob 15 munud."
TEMPLATES = {
    "invite": {"en": "HX" + "1" * 32, "cy": "HX" + "2" * 32},
    "reminder": {"en": "HX" + "3" * 32, "cy": "HX" + "4" * 32},
    "feedback": {"en": "HX" + "5" * 32, "cy": "HX" + "6" * 32},
}
TELEGRAM_CHAT = 5012345678
ANSWERS = ("YES", "1", "Going out on Fridays", "DONE", "The bus is late", "DONE", "A job", "DONE")


@pytest.fixture
def settings(
    database_url: str, twilio_proxy: FaultProxy, telegram_harness: TelegramHarness
) -> Settings:
    """Twilio on Prism (behind the recording proxy), Telegram on the emulator, templates set."""
    return suite_settings(
        database_url,
        WTFC_PUBLIC_URL=PUBLIC,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM=OUR_NUMBER,
        TWILIO_API_BASE_URL=twilio_proxy.base_url,
        TWILIO_MPS=50.0,
        TELEGRAM_BOT_TOKEN=telegram_harness.token,
        TELEGRAM_API_BASE_URL=telegram_harness.base_url,
        TELEGRAM_CHAT_MPS=50.0,
        WTFC_WHATSAPP_TEMPLATES=TEMPLATES,
    )


@dataclass
class World:
    """The app (webhooks, API) and its senders, as `wtfc serve` builds them."""

    services: Services
    http: httpx.AsyncClient
    twilio_side: TwilioWebhookClient
    twilio: FaultProxy
    telegram: TelegramHarness
    dispatcher: Dispatcher

    async def send_all(self) -> None:
        while await self.dispatcher.run_once():
            pass

    async def text(self, number: str, body: str, *, whatsapp: bool = False) -> str:
        answer = await self.twilio_side.text(body, sender=number, whatsapp=whatsapp)
        assert answer.status == 200, answer.text
        return answer.said

    async def take_part(self, number: str, hear_back: str, *, whatsapp: bool = False) -> None:
        await self.text(number, "PARK", whatsapp=whatsapp)
        for body in ANSWERS:
            await self.text(number, body, whatsapp=whatsapp)
        assert "Would you like a message later" in await self.text(number, "YES", whatsapp=whatsapp)
        await self.text(number, hear_back, whatsapp=whatsapp)

    async def rows(self) -> list[OutboxMessage]:
        async with self.services.sessions() as session:
            found = await session.execute(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "feedback")
                .order_by(OutboxMessage.id)
            )
            return list(found.scalars())


@pytest.fixture
async def world(
    services: Services, twilio_proxy: FaultProxy, telegram_harness: TelegramHarness
) -> AsyncIterator[World]:
    twilio_proxy.reset()
    await park(services)
    app = create_app(services.settings, services=services, background=False)
    senders = build_senders(services)
    dispatcher = Dispatcher(services.sessions, services.vault, senders)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as http:
        try:
            yield World(
                services,
                http,
                TwilioWebhookClient(http, signed_base=PUBLIC),
                twilio_proxy,
                telegram_harness,
                dispatcher,
            )
        finally:
            telegram = services.extras.get("telegram")
            if telegram is not None:
                await telegram.close()
            await close_senders(services)


def _message_sid(number: int) -> Fault:
    """Twilio's answer to a create, with a SID of its own (Prism's example has one for all)."""
    sid = f"SM{number:032x}"
    return Fault(
        status=201,
        body={"sid": sid, "status": "queued", "account_sid": ACCOUNT_SID, "num_segments": "1"},
    )


def _by_recipient(requests: list[RecordedRequest]) -> dict[str, RecordedRequest]:
    return {r.form["To"]: r for r in requests}


async def _lead_token(world: World) -> dict[str, str]:
    await make_user(world.services, "lead@example.org", "admin")
    await login(world.http, "lead@example.org")
    return bearer(await new_token(world.http))


async def _everyone(world: World) -> None:
    """SMS in English and Welsh, WhatsApp outside and inside the window, Telegram in Welsh;
    and people who must get nothing: NO, STOP, erased, the kiosk."""
    await world.take_part("+447700900001", "YES")
    await world.text("+447700900002", "PARK")
    await world.text("+447700900002", "LANGUAGE")
    await world.text("+447700900002", "2")
    for body in ANSWERS:
        await world.text("+447700900002", body)
    await world.text("+447700900002", "IE")
    await world.text("+447700900002", "IE")
    await world.take_part("+447700900003", "NO")
    await world.take_part("+447700900004", "YES")
    await world.text("+447700900004", "STOP")
    await world.take_part("+447700900005", "YES")
    await world.text("+447700900005", "DELETE")
    await world.text("+447700900005", "YES")
    await world.take_part("+447700900006", "YES", whatsapp=True)
    await world.take_part("+447700900007", "YES", whatsapp=True)
    chat = str(TELEGRAM_CHAT)
    await say(world.services, "telegram", chat, "PARK")
    await say(world.services, "telegram", chat, "LANGUAGE")
    await say(world.services, "telegram", chat, "2")
    for body in (*ANSWERS, "IE", "IE"):
        await say(world.services, "telegram", chat, body)
    await take_part_without_follow_up_question(world.services, "web", "kiosk-1")
    # Two days pass for the first WhatsApp person: their 24-hour window has closed.
    async with world.services.sessions() as session, session.begin():
        whatsapp = await session.scalars(
            select(Participant.id).where(Participant.channel == "whatsapp").order_by(Participant.id)
        )
        first = next(iter(whatsapp))
        await session.execute(
            update(InboundLog)
            .where(InboundLog.participant_id == first)
            .values(received_at=datetime.now(UTC) - timedelta(days=2))
        )
    await world.send_all()  # the Telegram conversation's own replies
    world.twilio.reset()


async def test_a_round_reaches_exactly_those_who_asked_in_their_language(world: World) -> None:
    """SMS en/cy, WhatsApp by template outside the window and free text inside, Telegram cy."""
    await _everyone(world)
    auth = await _lead_token(world)
    made = await world.http.post(
        "/api/v1/programmes/PARK/feedback", json={"texts": {"en": EN, "cy": CY}}, headers=auth
    )
    assert made.status_code == 201, made.text
    assert {(a["channel"], a["language"], a["people"]) for a in made.json()["not_yet_sent_to"]} == {
        ("sms", "en", 1),
        ("sms", "cy", 1),
        ("whatsapp", "en", 2),
        ("telegram", "cy", 1),
    }
    telegram_before = len(world.telegram.bot_replies(TELEGRAM_CHAT))
    world.twilio.inject(*(_message_sid(n) for n in range(1, 5)))
    sent = await world.http.post("/api/v1/programmes/PARK/feedback/1/send", headers=auth)
    assert sent.json()["queued"] == 5
    await world.send_all()

    requests = world.twilio.requests
    assert all(r.valid for r in requests), [r.upstream_body for r in requests]
    assert {(r.method, r.path) for r in requests} == {("POST", MESSAGES_PATH)}
    by_to = _by_recipient(requests)
    assert set(by_to) == {
        "+447700900001",
        "+447700900002",
        "whatsapp:+447700900006",
        "whatsapp:+447700900007",
    }
    assert by_to["+447700900001"].form["Body"] == EN
    assert by_to["+447700900002"].form["Body"] == CY
    template = by_to["whatsapp:+447700900006"].form
    assert template["ContentSid"] == TEMPLATES["feedback"]["en"]
    assert json.loads(template["ContentVariables"]) == {"1": EN}
    assert "Body" not in template and template["From"] == "whatsapp:" + OUR_NUMBER
    inside = by_to["whatsapp:+447700900007"].form
    assert inside["Body"] == EN and "ContentSid" not in inside
    [telegram] = world.telegram.bot_replies(TELEGRAM_CHAT)[telegram_before:]
    assert telegram.text == CY

    # Delivery reports come back; the API and the page show them.
    sids = {row.provider_id for row in await world.rows() if row.channel != "telegram"}
    assert len(sids) == 4
    rows = {row.provider_id: row for row in await world.rows()}
    for sid, row in rows.items():
        if sid is None or row.channel == "telegram":
            continue
        if row.channel == "sms":
            assert (await world.twilio_side.status(sid, "delivered")).status_code == 204
        else:
            await world.twilio_side.status(sid, "undelivered", error_code=30008)
    status = (await world.http.get("/api/v1/programmes/PARK/feedback/1", headers=auth)).json()
    assert status["delivery"] == {"queued": 0, "sent": 1, "delivered": 2, "failed": 2}
    recipients = (
        await world.http.get("/api/v1/programmes/PARK/feedback/1/recipients", headers=auth)
    ).json()
    assert (
        sorted(r["reason"] or "" for r in recipients if r["state"] == "failed")
        == ["30008: unknown delivery error"] * 2
    )
    page = await world.http.get("/admin/programmes/PARK/feedback/1")
    assert page.status_code == 200
    assert "30008: unknown delivery error" in page.text and "Delivered" in page.text
    assert "+4477" not in page.text

    # Pressing send again sends nobody anything.
    again = await world.http.post("/api/v1/programmes/PARK/feedback/1/send", headers=auth)
    assert again.json() == {"queued": 0, "already": 5, "by": []}
    await world.send_all()
    assert len(world.twilio.requests) == 4

    # A reply to the round is kept on it, thanked, and starts nothing.
    async with world.services.sessions() as session:
        statements = len((await session.execute(select(Statement.id))).all())
    said = await world.text("+447700900001", "That is so much better, thank you")
    assert said == "Thank you for your reply. We have passed it on to the team."
    async with world.services.sessions() as session:
        [reply] = (await session.execute(select(FeedbackReply))).scalars().all()
        assert len((await session.execute(select(Statement.id))).all()) == statements
    assert reply.text == "That is so much better, thank you"
    replies = (
        await world.http.get("/api/v1/programmes/PARK/feedback/1/replies", headers=auth)
    ).json()
    assert [r["text"] for r in replies] == ["That is so much better, thank you"]


async def test_21610_on_a_feedback_send_opts_the_person_out(world: World) -> None:
    """Twilio refusing with 21610 (they sent STOP to Twilio) marks them opted out here too."""
    await world.take_part("+447700900001", "YES")
    auth = await _lead_token(world)
    world.twilio.reset()
    await world.http.post(
        "/api/v1/programmes/PARK/feedback", json={"texts": {"en": EN, "cy": CY}}, headers=auth
    )
    world.twilio.inject(UNSUBSCRIBED)
    await world.http.post("/api/v1/programmes/PARK/feedback/1/send", headers=auth)
    await world.send_all()
    async with world.services.sessions() as session:
        person = (await session.execute(select(Participant))).scalar_one()
    assert person.opted_out
    [recipient] = (
        await world.http.get("/api/v1/programmes/PARK/feedback/1/recipients", headers=auth)
    ).json()
    assert (recipient["state"], recipient["reason"]) == (
        "failed",
        "21610: recipient has unsubscribed (STOP)",
    )
    repeat = await world.http.post("/api/v1/programmes/PARK/feedback/1/repeat", headers=auth)
    assert repeat.json()["not_yet_sent_to"] == []


async def test_a_round_goes_at_the_channels_pace(world: World, settings: Settings) -> None:
    """Six texts at TWILIO_MPS=5 take at least a second: the outbox's shared pace holds."""
    for n in range(6):
        await world.take_part(f"+44770090010{n}", "YES")
    auth = await _lead_token(world)
    twilio, senders = twilio_senders(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_=OUR_NUMBER,
        base_url=world.twilio.base_url,
        messages_per_second=5.0,
        public_url=PUBLIC,
    )
    slow = Dispatcher(world.services.sessions, world.services.vault, dict(senders))
    world.twilio.reset()
    await world.http.post(
        "/api/v1/programmes/PARK/feedback", json={"texts": {"en": EN, "cy": CY}}, headers=auth
    )
    await world.http.post("/api/v1/programmes/PARK/feedback/1/send", headers=auth)
    try:
        while await slow.run_once():
            pass
    finally:
        twilio.close()
    requests = world.twilio.requests
    assert len(requests) == 6 and all(r.valid for r in requests)
    assert requests[-1].at - requests[0].at >= 5 / 5 * 0.95
