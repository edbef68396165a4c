"""kill -9 with a backlog: every accepted message is processed exactly once, replies in order.

Real `uvicorn wtfc.asgi:app` processes on loopback, killed with SIGKILL (the whole
process group: no shutdown, like a power cut). First a process with no workers
accepts a burst (every webhook answered, nothing processed) and is killed; then
one with a worker is killed half way through the backlog; then a third, with
Twilio switched on (Prism behind a recording proxy), finishes it.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from collection.models import InboundLog, OutboxMessage, Statement
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.app_server import AppServer
from tests.support.fault_proxy import FaultProxy, fault_proxy_fixture
from tests.support.prism import prism_fixture, twilio_spec
from tests.support.twilio_client import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, TwilioWebhookClient

twilio_prism = prism_fixture(twilio_spec, name="twilio_prism")
twilio_proxy = fault_proxy_fixture("twilio_prism", name="twilio_proxy")

PEOPLE = 20
SCRIPT = [
    ("PARK", "Hello from Park Centre"),
    ("YES", "Are you answering 1) for yourself"),
    ("1", "What is working well for you?"),
    ("first {who}", "That's 1 so far"),
    ("second {who}", "That's 2 so far"),
    ("third {who}", "That's 3 so far"),
    ("DONE", "Which TWO matter most to you?"),
]


async def count(services: Services, *conditions: Any) -> int:
    """How many rows of the inbound log match, read without taking the write lock.

    (Our own sessions begin every SQLite transaction IMMEDIATE, which would wait for a
    frozen server holding the lock; a plain read in WAL mode does not.)"""
    reader = create_async_engine(services.settings.database_url)
    try:
        async with reader.connect() as connection:
            query = select(func.count()).select_from(InboundLog).where(*conditions)
            return int(await connection.scalar(query) or 0)
    finally:
        await reader.dispose()


async def waiting_replies(services: Services) -> int:
    async with services.sessions() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_(("queued", "sending")))
            )
            or 0
        )


def server_for(settings: Settings, tmp_path: Path, **env: str) -> AppServer:
    server = AppServer(
        {
            "WTFC_DATABASE_URL": settings.database_url,
            "WTFC_SECRET_KEY": settings.secret_key,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "WTFC_INLINE_BUDGET_MS": "0",
            **env,
        },
        log=tmp_path / "server.log",
    )
    server.env["WTFC_PUBLIC_URL"] = server.base_url  # what the signatures are computed over
    return server


@pytest.mark.slow
async def test_kill_9_with_a_backlog_loses_nothing_and_processes_each_message_once(
    settings: Settings, services: Services, tmp_path: Path, twilio_proxy: FaultProxy
) -> None:
    """Burst, kill -9, restart, kill -9 mid-backlog, restart: all processed once, in order."""
    twilio_proxy.reset()
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park Centre", code="PARK")
    people = [f"+4477009{n:05d}" for n in range(PEOPLE)]
    total = PEOPLE * len(SCRIPT)

    accepting = server_for(settings, tmp_path, WTFC_INBOUND_WORKERS="0")
    accepting.start()
    try:
        async with httpx.AsyncClient(base_url=accepting.base_url, timeout=30) as http:
            client = TwilioWebhookClient(http, signed_base=accepting.base_url)

            async def converse(person: str) -> None:
                for text, _ in SCRIPT:
                    answer = await client.text(text.format(who=person[-3:]), sender=person)
                    assert answer.status == 200 and answer.messages == []

            await asyncio.gather(*(converse(p) for p in people))
    finally:
        accepting.kill()
    assert await count(services, InboundLog.status == "pending") == total

    # The kill must land mid-backlog on any machine, however fast its worker drains it:
    # from its launch the server runs only in short slices (SIGCONT, 20 ms, SIGSTOP), and
    # it is killed while stopped, as soon as some messages are done.
    working = server_for(settings, tmp_path, WTFC_INBOUND_WORKERS="1")
    try:
        working.launch()
        working.freeze()
        async with asyncio.timeout(90):
            while await count(services, InboundLog.status == "done") < 5:
                working.thaw()
                await asyncio.sleep(0.02)
                working.freeze()
    finally:
        working.kill()
    left = await count(services, InboundLog.status == "pending")
    assert 0 < left < total, "the kill must land in the middle of the backlog"

    finishing = server_for(
        settings,
        tmp_path,
        WTFC_INBOUND_WORKERS="2",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_FROM=OUR_NUMBER,
        TWILIO_API_BASE_URL=twilio_proxy.base_url,
        TWILIO_MPS="200",
    )
    finishing.start()
    try:
        async with asyncio.timeout(120):
            while await count(services, InboundLog.status == "pending") or await waiting_replies(
                services
            ):
                await asyncio.sleep(0.1)
    finally:
        with contextlib.suppress(Exception):
            finishing.stop()

    assert await count(services, InboundLog.status == "done") == total
    async with services.sessions() as session:
        statements = (
            await session.execute(select(Statement.text, Statement.position).order_by(Statement.id))
        ).all()
        outbox = (
            await session.execute(select(OutboxMessage.status, func.count()).group_by("status"))
        ).all()
    assert dict(outbox) == {"sent": sum(1 for r in twilio_proxy.requests if r.valid)}
    for person in people:
        mine = [(text, position) for text, position in statements if text.endswith(person[-3:])]
        words = ["first", "second", "third"]
        assert mine == [(f"{w} {person[-3:]}", n) for n, w in enumerate(words, 1)]  # once each
        bodies = [
            r.form.get("Body", "")
            for r in sorted(twilio_proxy.requests, key=lambda r: r.at)
            if r.form.get("To") == person
        ]
        at = -1
        for _, phrase in SCRIPT:  # every reply, in the order of the messages
            hits = [i for i, body in enumerate(bodies) if i > at and phrase in body]
            assert hits, (phrase, bodies)
            at = hits[0]
        assert sum("That's 1 so far" in body for body in bodies) == 1  # sent once
