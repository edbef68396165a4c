"""kill -9 in the middle of a burst: every message answered 2xx is stored exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from collection.models import Statement
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.app_server import AppServer

PEOPLE = 12
STATEMENTS = 5  # a category holds at most 5 by default


@pytest.mark.slow
async def test_kill_9_mid_burst_loses_nothing_and_doubles_nothing(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    """Kill the server mid-burst, restart, let senders retry: each statement stored once."""
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK")
    server = AppServer(
        {
            "WTFC_DATABASE_URL": settings.database_url,
            "WTFC_SECRET_KEY": settings.secret_key,
            # Twelve people start at once from one loopback address: not a flood here.
            "WTFC_FLOOD_NEW_PER_ADDRESS_PER_HOUR": "1000",
            "WTFC_FLOOD_NEW_PER_PROGRAMME_PER_MINUTE": "1000",
        },
        log=tmp_path / "server.log",
    )
    server.start()
    people = [uuid.uuid4() for _ in range(PEOPLE)]
    # Each message has its own id, kept across retries (like Twilio's MessageSid).
    plan = {
        p: [("join", "", uuid.uuid4()), ("text", "YES", uuid.uuid4()), ("text", "1", uuid.uuid4())]
        + [("text", f"{p.hex[:6]} thing {n}", uuid.uuid4()) for n in range(STATEMENTS)]
        for p in people
    }
    acknowledged: set[uuid.UUID] = set()
    failed_attempts: list[uuid.UUID] = []

    async def post(
        client: httpx.AsyncClient, person: uuid.UUID, kind: str, text: str, message_id: uuid.UUID
    ) -> bool:
        try:
            answer = await client.post(
                server.base_url + "/chat/messages",
                json={
                    "code": "PARK",
                    "session": str(person),
                    "message_id": str(message_id),
                    "text": text,
                    "kind": kind,
                },
                timeout=10,
            )
        except httpx.HTTPError:
            failed_attempts.append(message_id)
            return False
        if 200 <= answer.status_code < 300:
            acknowledged.add(message_id)
            return True
        failed_attempts.append(message_id)
        return False

    async def converse(client: httpx.AsyncClient, person: uuid.UUID) -> None:
        """Send in order; on failure wait and resend the same message (as a provider retries)."""
        for kind, text, message_id in plan[person]:
            for _attempt in range(60):
                if await post(client, person, kind, text, message_id):
                    break
                await asyncio.sleep(0.25)

    async def killer() -> None:
        while len(acknowledged) < PEOPLE * 4:
            await asyncio.sleep(0.02)
        server.kill()
        await asyncio.sleep(0.5)
        server.start()

    try:
        async with httpx.AsyncClient() as client:
            await asyncio.wait_for(
                asyncio.gather(killer(), *(converse(client, p) for p in people)), timeout=120
            )
    finally:
        with contextlib.suppress(Exception):
            server.stop()
    assert failed_attempts, "the kill must interrupt traffic for this test to mean anything"
    assert len(acknowledged) == PEOPLE * (STATEMENTS + 3)
    async with services.sessions() as session:
        rows = (
            await session.execute(select(Statement.text, func.count()).group_by(Statement.text))
        ).all()
    counts = dict((text, n) for text, n in rows)
    expected = {text for p in people for kind, text, _ in plan[p][3:]}
    assert set(counts) == expected  # nothing lost
    assert set(counts.values()) == {1}  # nothing twice
