"""The queues' claims stay quick with thousands of rows queued (migration 0011).

After a burst the outbox held thousands of replies and its claim, walking every
row, ran past PostgreSQL's 10 s command timeout: replies stopped going out. These
tests fill the queues the way a burst does, behind a longer history of rows already
sent or processed, and ask PostgreSQL's planner how it would claim (EXPLAIN: nothing
runs). The plans must read the partial indexes of pending rows, never the table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from collection import inbound_queue
from collection.db import is_sqlite
from collection.migrate import alembic_config
from collection.models import InboundLog, OutboxMessage, Participant
from collection.outbox import Dispatcher
from collection.runtime import Services

PEOPLE = 1_250
QUEUED_EACH = 4
"""5,000 replies queued, four for each of 1,250 people (a burst's replies)."""
HISTORY_EACH = 8
"""And 10,000 rows of the past (sent, or processed), which a claim must not walk."""
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def postgresql(services: Services) -> Services:
    if is_sqlite(services.settings.database_url):
        pytest.skip("PostgreSQL only (set WTFC_TEST_DATABASE_URL)")
    return services


async def _people(connection: AsyncConnection) -> list[int]:
    rows = await connection.execute(
        insert(Participant).returning(Participant.id),
        [
            {"channel": "sms", "address_hash": f"h{n:06d}", "address_encrypted": "x"}
            for n in range(PEOPLE)
        ],
    )
    return sorted(rows.scalars())


@contextmanager
def _explained(connection: AsyncConnection) -> Iterator[None]:
    """Every statement on `connection` is EXPLAINed instead of run."""

    def explain(*args: Any) -> tuple[str, Any]:
        return "EXPLAIN " + args[2], args[3]

    sync = connection.sync_connection
    assert sync is not None
    event.listen(sync, "before_cursor_execute", explain, retval=True)
    try:
        yield
    finally:
        event.remove(sync, "before_cursor_execute", explain)


async def test_the_outbox_claim_reads_the_pending_indexes_with_5000_queued(
    postgresql: Services,
) -> None:
    services = postgresql
    async with services.engine.begin() as connection:
        people = await _people(connection)
        row = {"channel": "sms", "kind": "reply", "payload": {"key": "thanks"}, "language": "en"}
        past = NOW - timedelta(days=1)
        await connection.execute(
            insert(OutboxMessage),
            [
                {**row, "participant_id": p, "status": "sent", "next_attempt_at": past}
                for _ in range(HISTORY_EACH)
                for p in people
            ],
        )
        await connection.execute(
            insert(OutboxMessage),
            [
                {**row, "participant_id": p, "status": "queued", "next_attempt_at": NOW}
                for _ in range(QUEUED_EACH)
                for p in people
            ],
        )
    async with services.engine.connect() as connection:
        await connection.execute(text("ANALYZE outbox"))
        dispatcher = Dispatcher(services.sessions, services.vault, {"sms": object()})  # type: ignore[dict-item]
        with _explained(connection):
            plan = "\n".join(
                str(line)
                for line in (await connection.execute(dispatcher.claim_statement(NOW))).scalars()
            )
        await connection.rollback()
    assert "ix_outbox_queued" in plan, plan
    assert "ix_outbox_pending_person" in plan, plan
    assert "Seq Scan on outbox" not in plan, plan
    assert "LockRows" in plan, plan  # FOR UPDATE SKIP LOCKED: a row another holds is skipped


async def test_the_inbound_claim_reads_the_pending_indexes_with_5000_queued(
    postgresql: Services,
) -> None:
    services = postgresql
    async with services.engine.begin() as connection:
        people = await _people(connection)
        row = {"channel": "sms", "text": "hello", "replies": [], "language": "en"}
        await connection.execute(
            insert(InboundLog),
            [
                {**row, "external_id": f"old-{n}-{p}", "status": "done", "sender": f"h{p}"}
                for n in range(HISTORY_EACH)
                for p in people
            ],
        )
        await connection.execute(
            insert(InboundLog),
            [
                {**row, "external_id": f"new-{n}-{p}", "status": "pending", "sender": f"h{p}"}
                for n in range(QUEUED_EACH)
                for p in people
            ],
        )
    async with services.engine.connect() as connection:
        await connection.execute(text("ANALYZE inbound_log"))
        with _explained(connection):
            plan = "\n".join(
                str(line) for line in (await connection.execute(inbound_queue._TAKE_NEXT)).scalars()
            )
        await connection.rollback()
    assert "ix_inbound_log_pending_id" in plan, plan
    assert "ix_inbound_log_pending " in plan or "ix_inbound_log_pending on" in plan, plan
    assert "Seq Scan on inbound_log" not in plan, plan


def test_the_migration_adds_the_indexes_and_takes_them_away(tmp_path: Path) -> None:
    """0011 upgrades and downgrades cleanly (on a database of its own, SQLite)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    assert _indexes(tmp_path / "migrations.db") >= QUEUE_INDEXES
    command.downgrade(config, "0010_effects_log")
    assert not QUEUE_INDEXES & _indexes(tmp_path / "migrations.db")
    command.upgrade(config, "head")
    assert _indexes(tmp_path / "migrations.db") >= QUEUE_INDEXES


QUEUE_INDEXES = {"ix_outbox_queued", "ix_outbox_pending_person", "ix_inbound_log_pending_id"}


def _indexes(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {name for (name,) in rows}
