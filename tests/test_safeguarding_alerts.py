"""A disclosure on any channel opens a case, answers the person kindly, and e-mails the contact.

The e-mail goes through a real SMTP server (aiosmtpd) from the outbox dispatcher
that `wtfc serve` runs; the channels are the real webhooks (Twilio signed with the
library's validator, Telegram with a recorded Bot API payload), the web chat's
HTTP API and the admin's assisted-entry form.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from channels.email.sender import MailSender, parse_smtp_url
from channels.telegram.application import webhook_secret
from channels.telegram.webhook import SECRET_HEADER
from collection.models import OutboxMessage, SafeguardingCase, Statement
from collection.outbox import Dispatcher
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.admin import client, csrf_of, login, make_user
from tests.support.smtp_server import SmtpServer, smtp_server, start_smtp
from tests.support.telegram_offline import OfflineBotApi, offline_channel
from tests.support.telegram_payloads import load_update
from tests.support.twilio_client import AUTH_TOKEN, PERSON, TwilioWebhookClient
from wtfc.app import create_app

PUBLIC = "https://wtfc.example.org"
CONTACT_EMAIL = "safeguarding@council.example"
CONTACT_PHONE = "+447700900555"
CHAT_ID = 5012345678
DISCLOSURE = "the man on the late shift slaps me"
HELP_WORDS = "116 123"
CENTRE = "Call Park Centre on 01632 960000."


pytestmark = pytest.mark.settings(
    WTFC_PUBLIC_URL=PUBLIC,
    TWILIO_AUTH_TOKEN=AUTH_TOKEN,
    TELEGRAM_BOT_TOKEN="7123456789:offline-test-token",
)


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    async with smtp_server() as server:
        yield server


@pytest.fixture
async def programme(services: Services) -> None:
    async with services.sessions() as session, session.begin():
        await create_programme(
            session=session,
            name="Park Centre",
            code="PARK",
            purpose="We want to hear you.",
            safeguarding_contacts=[
                {"name": "Sam Lead", "email": CONTACT_EMAIL, "phone": CONTACT_PHONE}
            ],
            safeguarding_help=CENTRE,
        )


def dispatcher(
    services: Services, smtp_url: str, clock: Callable[[], datetime] | None = None
) -> Dispatcher:
    """The outbox dispatcher as `wtfc serve` builds it with WTFC_SMTP_URL set."""
    sender = MailSender(parse_smtp_url(smtp_url), "alerts@wtfc.example", timeout=5)
    return Dispatcher(
        services.sessions,
        services.vault,
        {"email": sender},
        clock=clock or (lambda: datetime.now(UTC)),
    )


async def web_chat(http: httpx.AsyncClient, session: str, texts: list[str]) -> list[str]:
    """Join the kiosk chat, then send each text; returns each answer's replies as one text."""
    said = []
    for kind, text in [("join", ""), *(("text", t) for t in texts)]:
        answer = await http.post(
            "/chat/messages",
            json={
                "code": "PARK",
                "session": session,
                "message_id": str(uuid.uuid4()),
                "text": text,
                "kind": kind,
            },
        )
        assert answer.status_code == 200, answer.text
        said.append("\n".join(str(r["text"]) for r in answer.json()["replies"]))
    return said[1:]


async def cases(services: Services) -> list[SafeguardingCase]:
    async with services.sessions() as session:
        return list((await session.execute(select(SafeguardingCase))).scalars())


async def assert_alerted(services: Services, smtp: SmtpServer, forbidden: list[str]) -> None:
    """One case; the dispatcher's first pass e-mails the contact; no contact detail in it."""
    [case] = await cases(services)
    assert case.status == "open" and case.category == "physical"
    sent = await dispatcher(services, smtp.url).run_once()
    assert sent == 1
    [(recipients, email)] = smtp.mailbox.messages
    assert recipients == [CONTACT_EMAIL]
    body = smtp.mailbox.bodies()[0]
    assert DISCLOSURE in body
    assert "Park Centre" in body and "Park Centre" in str(email["Subject"])
    assert f"{PUBLIC}/admin/safeguarding/{case.id}" in body
    whole = email.as_string()
    for detail in forbidden:
        assert detail not in whole


async def test_sms_disclosure_alerts_by_email_and_answers_with_help(
    services: Services, settings: Settings, programme: None, smtp: SmtpServer
) -> None:
    """By SMS: the help text, then the usual next prompt; a case; an e-mail without the number."""
    app = create_app(settings, services=services, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as http:
        twilio = TwilioWebhookClient(http, signed_base=PUBLIC)
        for text in ("park", "YES", "1"):
            assert (await twilio.text(text)).status == 200
        answer = await twilio.text(DISCLOSURE)
    assert HELP_WORDS in answer.said and "999" in answer.said and CENTRE in answer.said
    assert "That's 1 so far" in answer.said  # the conversation goes on
    await assert_alerted(services, smtp, [PERSON, PERSON.removeprefix("+44")])


async def test_telegram_disclosure_alerts_by_email(
    services: Services, settings: Settings, programme: None, smtp: SmtpServer
) -> None:
    """By Telegram (a recorded update): the help reply is queued; the e-mail has no chat id."""
    api = OfflineBotApi()
    channel = offline_channel(services, api)
    app = create_app(settings, services=services, background=False)
    secret = {SECRET_HEADER: webhook_secret(settings)}

    def update(update_id: int, text: str) -> dict[str, Any]:
        data = load_update("start_deep_link" if text.startswith("/start") else "private_text")
        data["update_id"] = update_id
        data["message"]["chat"]["id"] = data["message"]["from"]["id"] = CHAT_ID
        data["message"]["text"] = text
        return data

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as http:
        for number, text in enumerate(("/start PARK", "YES", "1", DISCLOSURE), 1):
            answer = await http.post(
                "/webhooks/telegram", json=update(number, text), headers=secret
            )
            assert answer.status_code == 200
    await channel.close()
    async with services.sessions() as session:
        replies = (
            await session.execute(
                select(OutboxMessage.payload).where(OutboxMessage.channel == "telegram")
            )
        ).scalars()
        keys = [payload["key"] for payload in replies]
    assert keys.count("safeguarding_help") == 1
    assert keys[-2:] == ["safeguarding_help", "got_statement"]
    await assert_alerted(services, smtp, [str(CHAT_ID), "Megan", "megan_h"])


async def test_web_chat_disclosure_alerts_by_email(
    services: Services, settings: Settings, programme: None, smtp: SmtpServer
) -> None:
    """By the web chat: the help text is shown, then the usual prompt."""
    app = create_app(settings, services=services, background=False)
    chat = str(uuid.uuid4())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as http:
        said = (await web_chat(http, chat, ["YES", "1", DISCLOSURE]))[-1]
    assert HELP_WORDS in said and CENTRE in said
    assert "That's 1 so far" in said
    await assert_alerted(services, smtp, [chat])


async def test_assisted_entry_disclosure_alerts_by_email(
    services: Services, programme: None, smtp: SmtpServer
) -> None:
    """Typed in by staff: the statement opens a case and the contact is e-mailed."""
    await make_user(services, "amy@example.org", "staff")
    async with client(services, base_url=PUBLIC) as http:
        assert (await login(http, "amy@example.org")).status_code == 303
        page = await http.get("/admin/programmes/PARK/assisted")
        answer = await http.post(
            "/admin/programmes/PARK/assisted",
            data={
                "csrf_token": csrf_of(page.text),
                "agreed": "yes",
                "working_0": "The garden",
                "not_working_0": DISCLOSURE,
            },
        )
        assert answer.status_code == 303, answer.text
    async with services.sessions() as session:
        flags = (
            await session.execute(select(Statement.flags).where(Statement.text == DISCLOSURE))
        ).scalar_one()
    assert "safeguarding" in flags
    await assert_alerted(services, smtp, ["amy@example.org"])


async def test_help_is_sent_once_per_conversation(
    services: Services, settings: Settings, programme: None
) -> None:
    """A second disclosure opens a second case but the help text is not repeated."""
    app = create_app(settings, services=services, background=False)
    chat = str(uuid.uuid4())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as http:
        said = await web_chat(
            http, chat, ["YES", "1", DISCLOSURE, "my brother keeps all my benefit money"]
        )
    assert HELP_WORDS in said[2] and HELP_WORDS not in said[3]
    assert [c.category for c in await cases(services)] == ["physical", "financial"]


async def test_an_ordinary_statement_opens_no_case(
    services: Services, settings: Settings, programme: None
) -> None:
    """'I punched the air when we won' is stored as usual: no case, no help text, no alert."""
    app = create_app(settings, services=services, background=False)
    chat = str(uuid.uuid4())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as http:
        said = await web_chat(http, chat, ["YES", "1", "I punched the air when we won"])
    assert HELP_WORDS not in said[-1] and "That's 1 so far" in said[-1]
    assert await cases(services) == []
    async with services.sessions() as session:
        assert (await session.execute(select(OutboxMessage))).first() is None


async def test_a_mail_server_outage_delays_the_alert_but_loses_nothing(
    services: Services, settings: Settings, programme: None
) -> None:
    """The server is down at first: the alert waits in the outbox and arrives once it is back,
    within a minute of the disclosure (fake clock: the retry is due 5 s later)."""
    app = create_app(settings, services=services, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as http:
        await web_chat(http, str(uuid.uuid4()), ["YES", "1", DISCLOSURE])
    disclosed = datetime.now(UTC)
    down = await start_smtp()
    port = down.port
    await down.stop()  # nothing listens on the port now: connection refused
    now = [disclosed]
    outbox = dispatcher(services, f"smtp://127.0.0.1:{port}", clock=lambda: now[0])
    assert await outbox.run_once() == 1
    async with services.sessions() as session:
        row = (await session.execute(select(OutboxMessage))).scalar_one()
    assert row.status == "queued" and row.last_error == "ConnectionRefusedError"
    assert await outbox.run_once() == 0  # not due yet
    back = await start_smtp(port=port)
    try:
        now[0] = disclosed + timedelta(seconds=10)
        assert await outbox.run_once() == 1
        assert len(back.mailbox.messages) == 1
        assert now[0] - disclosed < timedelta(minutes=1)
    finally:
        await back.stop()
