"""The one outage policy: real database failures are outages (503, back off), the rest bugs.

The classification is checked against exceptions the drivers really raise (a closed
port, a locked SQLite file, a terminated PostgreSQL backend, a real duplicate insert),
not hand-built ones; then every entry point is driven with the database really down
(503 with Retry-After) and with a bug in our own code (500 and one log line), and the
inbound workers are shown to set a bug's message aside after one attempt instead of
looping on it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from admin.services.tokens import TOKEN_PREFIX
from bot.model import Reply
from channels.telegram.application import webhook_secret
from channels.telegram.webhook import SECRET_HEADER
from collection import inbound_queue, routing, timers
from collection.db import is_sqlite
from collection.inbound_workers import ERROR_PAUSE, OUTAGE_PAUSES, InboundWorkers
from collection.intake import InboundMessage, Intake
from collection.models import OutboxMessage, Participant
from collection.outage import Verdict, diagnose
from collection.outbox import Dispatcher, Outgoing, SendResult, queue_reply
from collection.participants import get_locked
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.broken_step import break_the_step_of
from tests.support.sqlite_threads import aiosqlite_threads_joined
from tests.support.telegram_offline import OfflineBotApi, offline_channel
from tests.support.telegram_payloads import load_update
from tests.support.twilio_client import AUTH_TOKEN, TwilioWebhookClient, new_sid
from wtfc.app import build_services, create_app

CLOSED_PORT = "postgresql+asyncpg://postgres@127.0.0.1:1/wtfc_down"
INTERNAL = "http://testserver"
TELEGRAM_TOKEN = "7123456789:outage-test-token"  # offline: Telegram is never asked


async def _raised(work: Callable[[], Awaitable[object]]) -> BaseException:
    try:
        await work()
    except Exception as error:
        return error
    raise AssertionError("nothing was raised")


async def _run_sql(url: str, *statements: str, **engine_options: Any) -> None:
    engine = create_async_engine(url, **engine_options)
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


# -- the classification, against real exceptions ---------------------------------------------


async def test_postgresql_refusing_the_connection_is_an_outage() -> None:
    """Nothing listens on the port: asyncpg's bare ConnectionRefusedError, through
    SQLAlchemy and straight from asyncpg."""
    through_sqlalchemy = await _raised(lambda: _run_sql(CLOSED_PORT, "SELECT 1"))
    direct = await _raised(lambda: asyncpg.connect("postgresql://postgres@127.0.0.1:1/x"))
    assert (diagnose(through_sqlalchemy).verdict, diagnose(through_sqlalchemy).kind) == (
        Verdict.OUTAGE,
        "refused",
    )
    assert diagnose(direct).is_outage


async def test_an_unopenable_sqlite_file_is_an_outage() -> None:
    async with aiosqlite_threads_joined():
        error = await _raised(
            lambda: _run_sql("sqlite+aiosqlite:////nonexistent-dir/x.db", "SELECT 1")
        )
    assert (diagnose(error).verdict, diagnose(error).kind) == (Verdict.OUTAGE, "unopenable")


async def test_a_locked_sqlite_database_is_an_outage(tmp_path: Path) -> None:
    """Another process holds the write lock: 'database is locked' once the wait runs out."""
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        async with aiosqlite_threads_joined():
            error = await _raised(
                lambda: _run_sql(
                    f"sqlite+aiosqlite:///{path}",
                    "INSERT INTO t VALUES (1)",
                    connect_args={"timeout": 0},
                )
            )
    finally:
        holder.rollback()
        holder.close()
    assert (diagnose(error).verdict, diagnose(error).kind) == (Verdict.OUTAGE, "locked")


async def test_an_exhausted_pool_is_an_outage(tmp_path: Path) -> None:
    """Every connection in use and none back within the pool timeout."""
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}", pool_size=1, max_overflow=0, pool_timeout=0
    )
    try:
        async with engine.connect():

            async def second() -> None:
                async with engine.connect():
                    pass

            error = await _raised(second)
    finally:
        await engine.dispose()
    assert (diagnose(error).verdict, diagnose(error).kind) == (Verdict.OUTAGE, "pool_timeout")


async def test_no_answer_within_the_deadline_is_an_outage() -> None:
    async def slow() -> None:
        async with asyncio.timeout(0):
            await asyncio.sleep(1)

    assert diagnose(await _raised(slow)).kind == "deadline"


async def test_a_real_duplicate_insert_is_a_bug_not_an_outage(services: Services) -> None:
    """An IntegrityError is our code breaking a constraint: a retry can only fail again."""
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK")

    async def duplicate() -> None:
        async with services.sessions() as session, session.begin():
            await session.execute(text("INSERT INTO programme SELECT * FROM programme"))

    error = await _raised(duplicate)
    assert isinstance(error, IntegrityError)
    assert (diagnose(error).verdict, diagnose(error).status_code) == (Verdict.BUG, 500)


async def test_a_query_for_a_table_that_is_not_there_is_a_bug(services: Services) -> None:
    """SQLite says OperationalError, PostgreSQL ProgrammingError: a bug either way."""

    async def missing() -> None:
        async with services.sessions() as session:
            await session.execute(text("SELECT * FROM no_such_table"))

    assert diagnose(await _raised(missing)).verdict is Verdict.BUG


def test_errors_of_our_own_are_bugs() -> None:
    """Not every OSError is the database: a missing file is a bug, a 500."""
    assert diagnose(ValueError("x")).verdict is Verdict.BUG
    assert diagnose(FileNotFoundError(2, "No such file")).verdict is Verdict.BUG
    assert diagnose(KeyError("x")).kind == "KeyError"
    assert diagnose(OverflowError("too big")).verdict is Verdict.REFUSED_VALUE


@pytest.fixture
def pg_url(database_url: str) -> str:
    if is_sqlite(database_url):
        pytest.skip("PostgreSQL only (set WTFC_TEST_DATABASE_URL)")
    return database_url


async def test_postgresql_terminating_the_connection_is_an_outage(pg_url: str) -> None:
    """An administrator's shutdown (57P01) reaches us as a closed connection (08003)."""
    error = await _raised(lambda: _run_sql(pg_url, "SELECT pg_terminate_backend(pg_backend_pid())"))
    assert diagnose(error).is_outage


async def test_postgresql_timeouts_are_outages(pg_url: str) -> None:
    """A statement or lock timeout passes: the next attempt may well succeed."""
    statement = await _raised(
        lambda: _run_sql(pg_url, "SET statement_timeout = 10", "SELECT pg_sleep(2)")
    )
    assert diagnose(statement).kind == "statement_timeout"
    engine = create_async_engine(pg_url)
    try:
        async with engine.connect() as holder:
            await holder.execute(text("LOCK TABLE programme IN ACCESS EXCLUSIVE MODE"))
            lock = await _raised(
                lambda: _run_sql(pg_url, "SET lock_timeout = 10", "SELECT 1 FROM programme")
            )
            await holder.rollback()
    finally:
        await engine.dispose()
    assert diagnose(lock).kind == "lock_timeout"


async def test_a_value_postgresql_refuses_is_not_an_outage(pg_url: str) -> None:
    """Class 22 (a data exception) is the input's fault: 422, never a retried 503."""
    error = await _raised(lambda: _run_sql(pg_url, "SELECT 'not a number'::integer"))
    assert (diagnose(error).verdict, diagnose(error).status_code) == (Verdict.REFUSED_VALUE, 422)


# -- every entry point: 503 on a real outage ---------------------------------------------------


def _down(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "database_url": CLOSED_PORT,
            "twilio_auth_token": AUTH_TOKEN,
            "telegram_bot_token": TELEGRAM_TOKEN,
        }
    )


def _chat(text: str = "hello", kind: str = "text") -> dict[str, str]:
    return {
        "code": "PARK",
        "session": str(uuid.uuid4()),
        "message_id": str(uuid.uuid4()),
        "text": text,
        "kind": kind,
    }


def _telegram_start() -> bytes:
    update = load_update("start_deep_link")
    update["update_id"] = 41
    return json.dumps(update).encode()


async def test_every_entry_point_answers_503_while_the_database_is_down(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Twilio (message, status), Telegram, the web chat and the admin API: each a quick 503
    with Retry-After, and a log line with the outage's kind and nobody's number."""
    down = _down(settings)
    services = build_services(down)
    offline_channel(services, OfflineBotApi(), down)
    app = create_app(down, services=services, background=False)
    caplog.set_level(logging.INFO)
    try:
        async with (
            aiosqlite_threads_joined(),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=INTERNAL) as http,
        ):
            twilio = TwilioWebhookClient(http, signed_base=INTERNAL)
            sms = await twilio.text("PARK", sender="+447700900123")
            status = await twilio.status(new_sid(), "delivered")
            telegram = await http.post(
                "/webhooks/telegram",
                content=_telegram_start(),
                headers={SECRET_HEADER: webhook_secret(down)},
            )
            chat = await http.post("/chat/messages", json=_chat())
            api = await http.get(
                "/api/v1/summary", headers={"Authorization": f"Bearer {TOKEN_PREFIX}unknown"}
            )
    finally:
        await services.close()
    statuses = {
        "sms": sms.status,
        "status": status.status_code,
        "telegram": telegram.status_code,
        "chat": chat.status_code,
        "api": api.status_code,
    }
    assert statuses == dict.fromkeys(statuses, 503)
    assert {
        name: answer.headers.get("retry-after")
        for name, answer in {
            "status": status,
            "telegram": telegram,
            "chat": chat,
            "api": api,
        }.items()
    } == dict.fromkeys(["status", "telegram", "chat", "api"], "5")
    assert chat.json()["kind"] == "refused" and api.json()["kind"] == "refused"
    assert "database unavailable (refused)" in caplog.text
    assert "7700900123" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# -- every entry point: 500 and one log line on a bug ------------------------------------------


@pytest.fixture
async def app_http(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app with Twilio and Telegram on, over the (emptied) test database."""
    configured = settings.model_copy(
        update={"twilio_auth_token": AUTH_TOKEN, "telegram_bot_token": TELEGRAM_TOKEN}
    )
    own = build_services(configured)
    offline_channel(own, OfflineBotApi(), configured)
    async with own.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK")
    app = create_app(configured, services=own, background=False)

    async def broken_admin_service() -> None:
        raise IntegrityError("INSERT INTO programme ...", {"name": "secret"}, Exception("dup"))

    app.add_api_route("/api/v1/broken", broken_admin_service)  # as any admin/API route fails
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=INTERNAL
        ) as http:
            yield http
    finally:
        await own.close()


@pytest.mark.parametrize("bug", [ValueError("a bug"), "integrity"], ids=["ValueError", "Integrity"])
async def test_a_bug_is_a_500_and_one_log_line_at_every_entry_point(
    app_http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    bug: Exception | str,
) -> None:
    """Our own code raising is a 500 (never a 503 that Twilio or Telegram would retry for
    ever), with one error line per request carrying the traceback."""
    error = (
        IntegrityError("INSERT ...", {"text": "My name is Jo"}, Exception("duplicate key"))
        if bug == "integrity"
        else bug
    )

    async def broken(*args: object, **kwargs: object) -> object:
        assert isinstance(error, Exception)
        raise error

    monkeypatch.setattr(Intake, "handle", broken)
    monkeypatch.setattr("channels.twilio.webhook.record_delivery", broken)
    twilio = TwilioWebhookClient(app_http, signed_base=INTERNAL)
    caplog.set_level(logging.INFO)
    answers = {}
    answers["sms"] = (await twilio.text("PARK", sender="+447700900123")).status
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1
    answers["status"] = (await twilio.status(new_sid(), "delivered")).status_code
    answers["telegram"] = (
        await app_http.post(
            "/webhooks/telegram",
            content=_telegram_start(),
            headers={SECRET_HEADER: webhook_secret(_settings_of(app_http))},
        )
    ).status_code
    chat = await app_http.post("/chat/messages", json=_chat())
    answers["chat"] = chat.status_code
    answers["api"] = (await app_http.get("/api/v1/broken")).status_code
    assert answers == dict.fromkeys(answers, 500)
    assert "retry-after" not in chat.headers
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == len(answers)
    assert all(r.exc_info is not None for r in errors)
    assert "My name is Jo" not in caplog.text and "7700900123" not in caplog.text
    assert "database unavailable" not in caplog.text


def _transport_app(http: httpx.AsyncClient) -> Any:
    transport = http._transport
    assert isinstance(transport, httpx.ASGITransport)
    return transport.app


def _settings_of(http: httpx.AsyncClient) -> Settings:
    settings: Settings = _transport_app(http).state.settings
    return settings


# -- background workers: a bug is not retried in a loop ----------------------------------------


class FakePauses:
    """Records each pause a worker takes (the fake clock) and stops it after `limit`."""

    def __init__(self, limit: int) -> None:
        self.seconds: list[float] = []
        self.limit = limit

    async def __call__(
        self, stop: asyncio.Event, seconds: float, wake: asyncio.Event | None = None
    ) -> None:
        self.seconds.append(seconds)
        if len(self.seconds) >= self.limit:
            stop.set()


async def _queue_two(services: Services) -> tuple[str, str]:
    """Two people's messages stored for the workers, none processed yet."""
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK")
    services.intake.inline_budget = 0
    sids = (new_sid(), new_sid())
    for sid, phone in zip(sids, ("+447700900201", "+447700900202"), strict=True):
        await services.intake.handle(
            InboundMessage(channel="sms", address=phone, text="PARK", external_id=sid), budget=0
        )
    return sids


async def test_a_worker_sets_a_bugs_message_aside_after_one_attempt(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A message whose step always raises is tried once, set aside, and the next person's
    goes through: no loop on the same row, no sleeping in the test."""
    bad, good = await _queue_two(services)
    broken = break_the_step_of(monkeypatch, services.vault.lookup_hash("+447700900201"), ValueError)
    pauses = FakePauses(limit=6)
    await InboundWorkers(services.intake, count=1, pause=pauses).run(asyncio.Event())
    async with services.sessions() as session:
        failed = await inbound_queue.find(session, "sms", bad)
        done = await inbound_queue.find(session, "sms", good)
    assert broken.attempts == 1
    assert failed is not None and (failed.status, failed.attempts) == ("failed", 1)
    assert done is not None and done.status == "done"
    assert pauses.seconds[0] == ERROR_PAUSE
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1


async def test_a_worker_backs_off_through_an_outage_and_keeps_the_message(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database refusing: longer pauses each time, and the message stays pending."""
    bad, _good = await _queue_two(services)

    async def refused(self: Intake, limit: int = 1) -> int:
        raise ConnectionRefusedError(111, "Connect call failed")

    monkeypatch.setattr(Intake, "process_next", refused)
    pauses = FakePauses(limit=7)
    await InboundWorkers(services.intake, count=1, pause=pauses).run(asyncio.Event())
    assert pauses.seconds == [*OUTAGE_PAUSES, OUTAGE_PAUSES[-1], OUTAGE_PAUSES[-1]]
    async with services.sessions() as session:
        row = await inbound_queue.find(session, "sms", bad)
    assert row is not None and (row.status, row.attempts) == ("pending", 0)


async def test_the_outbox_fails_a_broken_row_alone_and_sends_the_rest(services: Services) -> None:
    """A row whose payload our code cannot read fails once; the batch behind it goes out."""
    sender = _RecordingSender()
    async with services.sessions() as session, session.begin():
        rows = []
        for phone in ("+447700900301", "+447700900302"):
            participant = await get_locked(
                session=session, vault=services.vault, channel="sms", address=phone
            )
            assert participant is not None
            rows.append(
                queue_reply(
                    session=session,
                    channel="sms",
                    participant_id=participant.id,
                    reply=Reply(key="thanks"),
                    language="en",
                    kind="reply",
                )
            )
        await session.flush()
        rows[0].payload = {"not": "a reply"}
        broken, fine = rows[0].id, rows[1].id
    dispatcher = Dispatcher(services.sessions, services.vault, {"sms": sender})
    assert await dispatcher.run_once() == 2
    assert await dispatcher.run_once() == 0  # nothing left to claim: no retry of the broken row
    async with services.sessions() as session:
        failed = await session.get(OutboxMessage, broken)
        sent = await session.get(OutboxMessage, fine)
    assert failed is not None and (failed.status, failed.last_error) == ("failed", "bug: KeyError")
    assert sent is not None and sent.status == "sent"
    assert sender.sent == [fine]


class _RecordingSender:
    pace_key = "outage-test"
    messages_per_second = 1000.0

    def __init__(self) -> None:
        self.sent: list[int] = []

    async def send(self, message: Outgoing) -> SendResult:
        self.sent.append(message.id)
        return SendResult(ok=True, provider_id="X")


async def test_timers_skip_a_response_whose_reminder_raises_a_bug(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """One broken response is tried once and logged once; the others are still reminded."""
    start = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)  # noon in London
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK")
    services.intake.clock = lambda: start
    for phone in ("+447700900401", "+447700900402"):
        for said in ("PARK", "YES", "1", "Going out"):
            await services.intake.handle(InboundMessage(channel="sms", address=phone, text=said))
    doomed = services.vault.lookup_hash("+447700900401")
    async with services.sessions() as session:
        doomed_id = (
            await session.execute(select(Participant.id).where(Participant.address_hash == doomed))
        ).scalar_one()
    attempts = 0
    real_queue_reply = timers.queue_reply

    def broken_queue_reply(**kwargs: Any) -> OutboxMessage:
        nonlocal attempts
        if kwargs["participant_id"] == doomed_id:
            attempts += 1
            raise ValueError("a bug in the reminder")
        return real_queue_reply(**kwargs)

    monkeypatch.setattr(timers, "queue_reply", broken_queue_reply)
    clock = timers.Timers(services.sessions)
    assert await clock.send_reminders(start + timedelta(hours=25)) == 1
    assert await clock.send_reminders(start + timedelta(hours=49)) == 0
    assert attempts == 1
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1


async def test_a_bug_in_the_inline_step_sets_the_message_aside_at_once(
    app_http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The message is stored, so Twilio gets its 200 (a retry could not help); the step's
    bug is logged once and no worker tries the message again."""

    async def failing_route(**kwargs: Any) -> routing.Route:
        raise ValueError("a bug in the step")

    monkeypatch.setattr(routing, "route", failing_route)
    sid = new_sid()
    answer = await TwilioWebhookClient(app_http, signed_base=INTERNAL).text("PARK", sid=sid)
    services: Services = _transport_app(app_http).state.services
    assert not await services.intake.process_next()  # nothing left for a worker
    async with services.sessions() as session:
        row = await inbound_queue.find(session, "sms", sid)
    assert (answer.status, answer.messages) == (200, [])
    assert row is not None and (row.status, row.attempts) == ("failed", 1)
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1
