"""A busy database: the webhook still answers within a bound, and nothing is half-stored.

Another worker holds the database (SQLite's write lock, or the inbound log locked on
PostgreSQL) while Twilio posts. Storing waits at most `Intake.accept_timeout` (here
a fifth of a second, not the 4 s of `WTFC_ACCEPT_TIMEOUT_MS`): then the answer is a
503 with nothing stored, and the same message sent again once the database is free
is stored once and answered as new. The inline step gets only what storing left of
its budget (a fake clock says how long storing took).
Runs on SQLite, and on PostgreSQL when WTFC_TEST_DATABASE_URL points at one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from collection import inbound_queue
from collection.intake import ACCEPT_TIMEOUT
from collection.models import InboundLog
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.busy_database import holding_the_database
from tests.support.twilio_client import AUTH_TOKEN, TwilioWebhookClient, new_sid
from wtfc.app import create_app

INTERNAL = "http://127.0.0.1:8000"
HANG_GUARD = 60
"""Not a timing assertion: without the bound the request would wait for the lock,
which is released only after the answer, and the test would hang."""


@pytest.fixture
async def twilio(settings: Settings, services: Services) -> AsyncIterator[TwilioWebhookClient]:
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park Centre", code="PARK")
    ours = settings.model_copy(update={"twilio_auth_token": AUTH_TOKEN})
    app = create_app(ours, services=services, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=INTERNAL) as http:
        yield TwilioWebhookClient(http, signed_base=INTERNAL)


async def _stored(services: Services, sid: str) -> int:
    async with services.sessions() as session:
        found = await session.scalar(
            select(func.count()).select_from(InboundLog).where(InboundLog.external_id == sid)
        )
        return int(found or 0)


async def test_storing_in_a_busy_database_gives_up_with_a_503_and_stores_nothing(
    twilio: TwilioWebhookClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    services.intake.accept_timeout = 0.2
    sid = new_sid()
    caplog.set_level(logging.WARNING, logger="channels.twilio.webhook")
    async with holding_the_database(services.settings.database_url):
        answer = await asyncio.wait_for(twilio.text("PARK", sid=sid), HANG_GUARD)
    assert answer.status == 503  # Twilio logs the error; nothing was committed
    assert "database unavailable (deadline)" in caplog.text
    assert "+44" not in caplog.text  # the sender's number is never logged

    # The retry waits as long as by default: the store given up on may still be rolling back.
    services.intake.accept_timeout = ACCEPT_TIMEOUT
    again = await twilio.text("PARK", sid=sid)  # the same message, the database free
    assert again.status == 200
    assert "Hello from Park Centre" in again.said  # new, not a replay of a half-stored one
    assert await _stored(services, sid) == 1


async def test_the_step_gets_only_what_storing_left_of_the_budget(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """Storing took the whole budget: the answer does not wait for the step at all."""
    ticks = iter([100.0, 100.5])  # the fake clock: storing took half a second
    services.intake.monotonic = lambda: next(ticks)
    services.intake.inline_budget = 0.3
    sid = new_sid()
    answer = await twilio.text("PARK", sid=sid)
    assert answer.status == 200 and answer.messages == []  # stored; replies follow later
    async with services.sessions() as session:
        row = await inbound_queue.find(session, "sms", sid)
    assert row is not None and row.status == inbound_queue.PENDING  # a worker's to process
