"""Two app processes on PostgreSQL: one person's messages land in order, none lost."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from collection.db import create_engine, session_factory
from collection.models import Statement
from tests.conftest import TEST_SECRET
from tests.support.app_server import AppServer
from tests.support.pg import pg_database

__all__ = ["pg_database"]


@pytest.mark.slow
async def test_two_processes_keep_one_persons_messages_in_order(
    pg_database: str, tmp_path: Path
) -> None:
    """Messages sent one after another to two processes at once are stored in send order."""
    server = AppServer(
        {"WTFC_DATABASE_URL": pg_database, "WTFC_SECRET_KEY": TEST_SECRET},
        workers=2,
        log=tmp_path / "server.log",
    )
    server.start(timeout=60)
    people = [str(uuid.uuid4()) for _ in range(6)]

    async def say(client: httpx.AsyncClient, person: str, text: str, kind: str = "text") -> None:
        answer = await client.post(
            server.base_url + "/chat/messages",
            timeout=30,
            json={
                "code": "PARK",
                "session": person,
                "message_id": str(uuid.uuid4()),
                "text": text,
                "kind": kind,
            },
        )
        assert answer.status_code == 200

    async def converse(person: str) -> None:
        # A fresh connection per message, so the two processes share each person's traffic.
        for kind, text in [("join", ""), ("text", "YES"), ("text", "1")] + [
            ("text", f"{person[:8]} {n}") for n in range(1, 6)
        ]:
            async with httpx.AsyncClient() as client:
                await say(client, person, text, kind)

    try:
        await asyncio.gather(*(converse(p) for p in people))
    finally:
        server.stop()
    engine = create_engine(pg_database)
    async with session_factory(engine)() as session:
        rows = (
            await session.execute(select(Statement.text, Statement.position).order_by(Statement.id))
        ).all()
    await engine.dispose()
    assert len(rows) == len(people) * 5
    for person in people:
        mine = [(text, position) for text, position in rows if text.startswith(person[:8])]
        assert [text for text, _ in mine] == [f"{person[:8]} {n}" for n in range(1, 6)]
        assert [position for _, position in mine] == [1, 2, 3, 4, 5]
