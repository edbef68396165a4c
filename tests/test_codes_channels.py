"""On every channel, an answer in a conversation never moves a person to another programme.

Programmes FRIENDS and 13 collect beside PARK (13 inserted as a row, as one made
before codes were restricted). A person answering PARK sends "Friends" and the
picks "1 3": both stay PARK's. Only `JOIN FRIENDS` (or a deep link) leaves, and
the person is told PARK is kept, paused. Through each channel's real entry point
(Telegram's is in tests/test_telegram_webhook.py, beside its offline Bot API).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from channels.terminal import run_chat
from collection.intake import InboundMessage
from collection.invites import queue_invite
from collection.models import Programme, Response, Statement
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.twilio_client import AUTH_TOKEN, TwilioWebhookClient
from wtfc.app import create_app

PHONE = "+447700900555"
ANSWERS = ["YES", "1", "Friends", "13", "Going out", "DONE", "1 3", "Friends"]
"""Consent, for myself, three statements (two of them codes), DONE, picks 1 3, a statement."""
PAUSED = "kept, paused where you left them"


async def _programmes(services: Services) -> None:
    async with services.sessions() as session, session.begin():
        for code in ("PARK", "FRIENDS"):
            await create_programme(session=session, name=f"{code.title()} Centre", code=code)
        session.add(
            Programme(
                name="Thirteen",
                code="13",
                level="service",
                languages=["en"],
                segments=[],
                status="collecting",
                export_seed=1,
            )
        )


async def _where(services: Services) -> dict[str, list[str]]:
    """Each response's programme code with its statements, oldest response first."""
    async with services.sessions() as session:
        rows = await session.execute(
            select(Programme.code, Response.id)
            .join(Response, Response.programme_id == Programme.id)
            .order_by(Response.id)
        )
        found: dict[str, list[str]] = {}
        for code, response_id in rows.all():
            texts = await session.execute(
                select(Statement.text)
                .where(Statement.response_id == response_id)
                .order_by(Statement.id)
            )
            found[code] = list(texts.scalars())
        return found


async def _statuses(services: Services) -> dict[str, str]:
    async with services.sessions() as session:
        rows = await session.execute(
            select(Programme.code, Response.status).join(
                Response, Response.programme_id == Programme.id
            )
        )
        return {code: status for code, status in rows.all()}


def _check_stayed(where: dict[str, list[str]]) -> None:
    assert list(where) == ["PARK"], where
    assert where["PARK"] == ["Friends", "13", "Going out", "Friends"]


def _check_switched(where: dict[str, list[str]], statuses: dict[str, str]) -> None:
    assert list(where) == ["PARK", "FRIENDS"], where
    assert statuses == {"PARK": "partial", "FRIENDS": "active"}


@pytest.fixture
async def http(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    await _programmes(services)
    changed = settings.model_copy(
        update={
            "twilio_auth_token": AUTH_TOKEN,
            "public_url": "https://wtfc.example.org",
        }
    )
    app = create_app(changed, services=services, background=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://wtfc.example.org"
    ) as client:
        yield client


@pytest.mark.parametrize("whatsapp", [False, True], ids=["sms", "whatsapp"])
async def test_twilio_answers_stay_and_join_switches(
    http: httpx.AsyncClient, services: Services, whatsapp: bool
) -> None:
    """By SMS and WhatsApp: "Friends" and "1 3" are answers; JOIN FRIENDS switches, kindly."""
    twilio = TwilioWebhookClient(http, signed_base="https://wtfc.example.org")
    assert "Hello from Park Centre" in (await twilio.text("PARK", whatsapp=whatsapp)).said
    for answer in ANSWERS:
        assert (await twilio.text(answer, whatsapp=whatsapp)).status == 200
    _check_stayed(await _where(services))
    said = (await twilio.text("JOIN FRIENDS", whatsapp=whatsapp)).said
    assert PAUSED in said and "JOIN PARK" in said and "Hello from Friends Centre" in said
    _check_switched(await _where(services), await _statuses(services))


async def test_web_chat_answers_stay_and_join_switches(
    http: httpx.AsyncClient, services: Services
) -> None:
    """In the web chat: typed answers stay in the page's programme; JOIN FRIENDS switches."""
    chat = uuid.uuid4()

    async def say(text: str, kind: str = "text") -> str:
        answer = await http.post(
            "/chat/messages",
            json={
                "code": "PARK",
                "session": str(chat),
                "message_id": str(uuid.uuid4()),
                "text": text,
                "kind": kind,
            },
        )
        assert answer.status_code == 200, answer.text
        return "\n".join(str(r["text"]) for r in answer.json()["replies"])

    assert "Hello from Park Centre" in await say("", kind="join")
    for answer in ANSWERS:
        await say(answer)
    _check_stayed(await _where(services))
    said = await say("JOIN FRIENDS")
    assert PAUSED in said and "Hello from Friends Centre" in said
    _check_switched(await _where(services), await _statuses(services))


async def test_terminal_answers_stay_and_join_switches(services: Services) -> None:
    """In `wtfc chat PARK`: typed answers stay; JOIN FRIENDS switches, kindly."""
    await _programmes(services)
    lines = io.StringIO("\n".join([*ANSWERS, "JOIN FRIENDS"]) + "\n")
    out = io.StringIO()
    await run_chat(services.intake, "PARK", lines, out)
    assert PAUSED in out.getvalue()
    _check_switched(await _where(services), await _statuses(services))
    assert (await _where(services))["PARK"] == ["Friends", "13", "Going out", "Friends"]


async def test_a_reply_to_a_staff_invitation_joins_even_mid_conversation(
    services: Services,
) -> None:
    """Invited to FRIENDS ("Reply FRIENDS to take part") while answering PARK: the reply
    joins, kindly; once joined, "Friends" is an answer again."""
    await _programmes(services)

    async def send(text: str) -> list[str]:
        result = await services.intake.handle(
            InboundMessage(channel="sms", address=PHONE, text=text)
        )
        return [r.key for r in result.replies]

    for text in ("PARK", "YES", "1"):
        await send(text)
    async with services.sessions() as session, session.begin():
        friends = (
            await session.execute(select(Programme).where(Programme.code == "FRIENDS"))
        ).scalar_one()
        await queue_invite(session=session, vault=services.vault, programme=friends, number=PHONE)
    assert await send("Friends") == ["switched_programme", "welcome", "ask_consent"]
    assert await send("JOIN PARK") == ["switched_programme", "welcome_back", "ask_working"]
    assert await send("Friends") == ["got_statement"]
    assert (await _where(services))["PARK"] == ["Friends"]
