"""The queues' claims stay quick with thousands of rows queued (migration 0011).

After a burst the outbox held thousands of replies and its claim, walking every
row, ran past PostgreSQL's 10 s command timeout: replies stopped going out. These
tests fill the queues the way a burst does, behind a longer history of rows already
sent or processed, and ask the planner how it would claim (EXPLAIN, or SQLite's
EXPLAIN QUERY PLAN: nothing runs). The plans must read the partial indexes of pending
rows, never the whole table. Runs on SQLite, and on PostgreSQL when
WTFC_TEST_DATABASE_URL points at one (the plan that timed out was PostgreSQL's).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from collection import inbound_queue
from collection.db import is_sqlite
from collection.inbound_workers import BATCH
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


async def _people(connection: AsyncConnection) -> list[int]:
    rows = await connection.execute(
        insert(Participant).returning(Participant.id),
        [
            {"channel": "sms", "address_hash": f"h{n:06d}", "address_encrypted": "x"}
            for n in range(PEOPLE)
        ],
    )
    return sorted(rows.scalars())


async def _plan(
    connection: AsyncConnection, statement: Executable, parameters: dict[str, Any] | None = None
) -> str:
    """The plan the database would run `statement` by (EXPLAIN in front: nothing runs)."""
    sqlite = is_sqlite(str(connection.engine.url))
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "

    def explain(*args: Any) -> tuple[str, Any]:
        return prefix + args[2], args[3]

    sync = connection.sync_connection
    assert sync is not None
    event.listen(sync, "before_cursor_execute", explain, retval=True)
    try:
        rows = (await connection.execute(statement, parameters)).all()
    finally:
        event.remove(sync, "before_cursor_execute", explain)
    # PostgreSQL: one line of text a row; SQLite: (id, parent, 0, detail).
    return "\n".join(str(row[-1]) for row in rows)


def _reads_whole_table(plan: str, table: str) -> bool:
    """A full scan: `Seq Scan on outbox` (PostgreSQL), `SCAN outbox` with no index (SQLite)."""
    lines = [line.strip() for line in plan.splitlines()]
    return any(
        line.startswith(f"Seq Scan on {table}")
        or (line.startswith(f"SCAN {table}") and "INDEX" not in line)
        for line in lines
    )


async def test_the_outbox_claim_reads_the_pending_indexes_with_5000_queued(
    services: Services,
) -> None:
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
        plan = await _plan(connection, dispatcher.claim_statement, dispatcher.claim_parameters(NOW))
        await connection.rollback()
    assert "ix_outbox_queued" in plan, plan
    assert "ix_outbox_pending_person" in plan, plan
    assert not _reads_whole_table(plan, "outbox"), plan
    if not is_sqlite(services.settings.database_url):
        assert "LockRows" in plan, plan  # FOR UPDATE SKIP LOCKED: a held row is skipped


async def test_the_inbound_claim_reads_the_pending_indexes_with_5000_queued(
    services: Services,
) -> None:
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
        plan = await _plan(connection, inbound_queue._TAKE_NEXT, {"limit": BATCH})
        await connection.rollback()
    assert "ix_inbound_log_pending_id" in plan, plan
    assert "ix_inbound_log_pending " in plan or "ix_inbound_log_pending (" in plan, plan
    assert not _reads_whole_table(plan, "inbound_log"), plan


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
