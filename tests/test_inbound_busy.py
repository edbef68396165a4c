"""A busy database: the webhook still answers within a bound, and loses nothing.

Another worker holds the database (SQLite's write lock, or the inbound log locked on
PostgreSQL) while Twilio posts. The webhook waits for storing at most
`Intake.accept_timeout` (here a fifth of a second, not the 4 s of
`WTFC_ACCEPT_TIMEOUT_MS`) and then answers 503; storing carries on, so once the
database is free the message is stored (once, whatever Twilio sends again) and a
worker answers it through the outbox. Twilio does not retry a 503 unless told to, so
a store cancelled at the deadline was a lost message. The inline step gets only what
storing left of its budget (a fake clock says how long storing took).
Runs on SQLite, and on PostgreSQL when WTFC_TEST_DATABASE_URL points at one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select, text

from collection import inbound_queue
from collection.db import create_engine, session_factory
from collection.inbound_workers import InboundWorkers
from collection.intake import ACCEPT_TIMEOUT
from collection.models import InboundLog, OutboxMessage
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


async def _outbox_keys(services: Services) -> list[str]:
    async with services.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row.payload["key"] for row in rows]


async def test_a_busy_database_is_a_503_at_the_deadline_and_the_message_is_stored_late(
    twilio: TwilioWebhookClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    services.intake.accept_timeout = 0.2
    sid = new_sid()
    caplog.set_level(logging.INFO)
    async with holding_the_database(services.settings.database_url):
        answer = await asyncio.wait_for(twilio.text("PARK", sid=sid), HANG_GUARD)
        assert answer.status == 503  # within the deadline, the database still held
        assert await services.intake.settle(0) == 1  # and storing still waiting for it
    assert "database unavailable (deadline)" in caplog.text

    assert await services.intake.settle(HANG_GUARD) == 0  # the database free: stored
    assert await _stored(services, sid) == 1
    assert services.intake.work.is_set()  # the workers were woken for it
    again = await twilio.text("PARK", sid=sid)  # Twilio told to retry: the same message
    assert again.status == 200 and again.messages == []  # known, its replies go later
    assert await _stored(services, sid) == 1

    assert await InboundWorkers(services.intake).drain() == 1
    assert await _outbox_keys(services) == ["welcome", "ask_consent"]  # by SMS, in order
    assert "+44" not in caplog.text  # the sender's number is never logged


async def test_past_the_limit_of_late_stores_a_store_is_cancelled_and_retried_whole(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """A database that hangs must not pile up stores without bound: past the limit (0
    here, 1,000 by default) a store is cancelled at the deadline and rolled back whole,
    so the same message sent again is stored once and answered as new."""
    services.intake.accept_timeout = 0.2
    services.intake.late_stores = 0
    sid = new_sid()
    async with holding_the_database(services.settings.database_url):
        answer = await asyncio.wait_for(twilio.text("PARK", sid=sid), HANG_GUARD)
    assert answer.status == 503
    assert await services.intake.settle(HANG_GUARD) == 0

    # The retry waits as long as by default: the cancelled store may still be rolling back.
    services.intake.accept_timeout = ACCEPT_TIMEOUT
    again = await twilio.text("PARK", sid=sid)
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


async def test_shutting_down_waits_for_a_message_still_being_stored(
    settings: Settings, services: Services
) -> None:
    """`wtfc serve` stopping (a deploy) while a store is past its deadline: the process
    waits for it before closing the database, so the message is not cut off."""
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park Centre", code="PARK")
    services.intake.accept_timeout = 0.2
    ours = settings.model_copy(update={"twilio_auth_token": AUTH_TOKEN})
    app = create_app(ours, services=services, background=False)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    sid = new_sid()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=INTERNAL) as http:
        holding = holding_the_database(services.settings.database_url)
        await holding.__aenter__()
        try:
            answer = await TwilioWebhookClient(http, signed_base=INTERNAL).text("PARK", sid=sid)
            assert answer.status == 503
            shutdown = asyncio.create_task(lifespan.__aexit__(None, None, None))
            await asyncio.sleep(0.3)
            assert not shutdown.done()  # waiting for the store, which waits for the database
        finally:
            await holding.__aexit__(None, None, None)
        await asyncio.wait_for(shutdown, HANG_GUARD)
    assert await services.intake.settle(0) == 0  # nothing left running at the end
    assert await _stored(services, sid) == 1


async def test_a_store_past_its_deadline_that_meets_an_overload_is_tried_again(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """The database answers but every pooled connection is busy (a burst on
    PostgreSQL): a store past its deadline waits `pool_timeout` for one and fails. It is
    tried again, so the message is stored once a connection is free, not lost."""
    engine = create_engine(
        services.settings.database_url, pool_size=1, max_overflow=0, pool_timeout=0.3
    )
    services.intake.sessions = session_factory(engine)
    services.intake.accept_timeout = 0.2
    sid = new_sid()
    try:
        async with engine.connect() as busy:  # the pool's one connection, held
            await busy.execute(text("SELECT 1"))
            answer = await asyncio.wait_for(twilio.text("PARK", sid=sid), HANG_GUARD)
            assert answer.status == 503
            for _ in range(HANG_GUARD * 100):  # until the first store has met the overload
                if services.intake.late_retries:
                    break
                await asyncio.sleep(0.01)
            assert services.intake.late_retries >= 1
        assert await services.intake.settle(HANG_GUARD) == 0  # the connection free: stored
        assert await _stored(services, sid) == 1
        assert services.intake.work.is_set()
    finally:
        await engine.dispose()
