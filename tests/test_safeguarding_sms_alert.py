"""A contact with a mobile number is also told by SMS, through the outbox and Twilio's API
(Prism serving Twilio's OpenAPI description, behind a recording proxy)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from channels.email.sender import MailSender, parse_smtp_url
from collection.outbox import Dispatcher
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.support.prism import prism_fixture, twilio_spec
from tests.support.smtp_server import SmtpServer, smtp_server
from tests.test_safeguarding_alerts import web_chat
from tests.test_sms_outbound import sms_settings
from wtfc.app import build_senders, build_services, close_senders, create_app

CONTACT_PHONE = "+447700900555"
DISCLOSURE = "I want to kill myself"

twilio_prism = prism_fixture(twilio_spec, name="twilio_prism")
twilio_proxy = fault_proxy_fixture("twilio_prism", name="twilio_proxy")


@pytest.fixture
def twilio(twilio_proxy: FaultProxy) -> FaultProxy:
    twilio_proxy.reset()
    return twilio_proxy


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    async with smtp_server() as server:
        yield server


async def test_a_contact_with_a_phone_gets_an_sms_and_an_email(
    settings: Settings, services: Services, twilio: FaultProxy, smtp: SmtpServer
) -> None:
    """Both alerts leave on the dispatcher's first pass; the SMS carries the statement and
    the case link, and no web chat session id."""
    async with services.sessions() as session, session.begin():
        await create_programme(
            session=session,
            name="Park Centre",
            code="PARK",
            safeguarding_contacts=[
                {"name": "Sam", "email": "sam@council.example", "phone": CONTACT_PHONE}
            ],
        )
    built = build_services(sms_settings(settings, twilio))
    try:
        app = create_app(built.settings, services=built, background=False)
        chat = str(uuid.uuid4())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            await web_chat(http, chat, ["YES", "1", DISCLOSURE])
        senders = build_senders(built)
        senders["email"] = MailSender(parse_smtp_url(smtp.url), "alerts@wtfc.example", timeout=5)
        dispatcher = Dispatcher(
            built.sessions, built.vault, senders, clock=lambda: datetime.now(UTC)
        )
        assert await dispatcher.run_once() == 2
    finally:
        await close_senders(built)
        await built.close()
    [request] = [r for r in twilio.requests if r.path.endswith("/Messages.json")]
    assert request.valid, request.upstream_body
    assert request.form["To"] == CONTACT_PHONE
    body = request.form["Body"]
    assert DISCLOSURE in body and "Park Centre" in body
    assert "https://wtfc.example.org/admin/safeguarding/1" in body
    assert chat not in body
    assert len(smtp.mailbox.messages) == 1
