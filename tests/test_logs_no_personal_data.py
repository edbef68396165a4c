"""Logs never hold a phone number or a chat id, whatever channel a conversation used.

All loggers are captured at DEBUG (more than production's INFO) while whole
conversations run by SMS, WhatsApp, Telegram (in and out through the outbox) and
the web chat; then the captured text is searched for the numbers and ids in every
form a careless log line could print them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from channels.telegram.application import webhook_secret
from collection.outbox import Dispatcher
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.telegram_offline import OfflineBotApi, offline_channel
from tests.support.telegram_payloads import load_update
from tests.support.twilio_client import AUTH_TOKEN, TwilioWebhookClient
from wtfc.app import build_senders, create_app

PHONE = "+447400123456"
WHATSAPP = "+447400654321"
CHAT_ID = 5012345678
TOKEN = "7123456789:offline-log-test-token"
SCRIPT = [
    "PARK",
    "YES",
    "1",
    "My support worker Jo really listens",
    "DONE",
    "The bus is late",
    "DONE",
    "Learn to cook",
    "DONE",
    "YES",
    "NO",
]


pytestmark = pytest.mark.settings(
    WTFC_PUBLIC_URL="https://wtfc.example.org",
    TWILIO_AUTH_TOKEN=AUTH_TOKEN,
    TELEGRAM_BOT_TOKEN=TOKEN,
    TELEGRAM_CHAT_MPS=1000,  # the replies go out at once, not one a second in the chat
)


@pytest.fixture
async def app_client(
    settings: Settings, services: Services
) -> AsyncIterator[tuple[httpx.AsyncClient, OfflineBotApi]]:
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK", purpose="Hear us.")
    api = OfflineBotApi()
    channel = offline_channel(services, api, settings)
    app = create_app(settings, services=services, background=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://wtfc.example.org"
    ) as http:
        yield http, api
    await channel.close()


def _forms(value: str) -> set[str]:
    """The ways a number can show up in text: as sent, without +, national, spaced."""
    digits = value.lstrip("+")
    found = {value, digits}
    if digits.startswith("44"):
        national = "0" + digits[2:]
        found |= {national, f"{national[:5]} {national[5:]}", digits[2:]}
    return found


async def test_a_whole_conversation_on_every_channel_logs_no_number_or_chat_id(
    app_client: tuple[httpx.AsyncClient, OfflineBotApi],
    services: Services,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SMS, WhatsApp, Telegram (in and out) and web chat at DEBUG: no number, no chat id."""
    http, api = app_client
    caplog.set_level(logging.DEBUG)
    twilio = TwilioWebhookClient(http, signed_base="https://wtfc.example.org")
    for text in SCRIPT:
        assert (await twilio.text(text, sender=PHONE)).status == 200
        assert (await twilio.text(text, sender=WHATSAPP, whatsapp=True)).status == 200
    await twilio.text("STOP", sender=PHONE)
    secret = webhook_secret(services.settings)
    for number, text in enumerate(SCRIPT, 1):
        update = load_update("private_text")
        update["update_id"] = 900 + number
        update["message"]["chat"]["id"] = update["message"]["from"]["id"] = CHAT_ID
        update["message"]["text"] = text
        answer = await http.post(
            "/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
        )
        assert answer.status_code == 200
    dispatcher = Dispatcher(services.sessions, services.vault, build_senders(services))
    while await dispatcher.run_once():
        pass
    assert api.called("sendMessage")  # the replies really went out through the sender
    await http.post(
        "/chat/messages",
        json={
            "code": "PARK",
            "session": "6f1c7c2e-5a61-4f7e-9a55-3c1b2f0d9e11",
            "message_id": "0b7d8a7e-8f11-4d1a-9f3e-6e5b3b7f1a22",
            "kind": "join",
        },
    )
    logged = caplog.text
    assert len(caplog.records) > 20  # the capture really saw the app's logging
    for secret_value in (*_forms(PHONE), *_forms(WHATSAPP), str(CHAT_ID)):
        assert secret_value not in logged, f"{secret_value!r} appears in the logs"
