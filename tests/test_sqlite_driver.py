"""The SQLite driver (collection/sqlite_driver.py) behaves as aiosqlite's own.

Every other test runs through it on SQLite; these pin what SQLAlchemy reads from a
cursor after the statement (rows, row counts, the new row's id, errors), each of
which the driver now carries back by hand, and that running statements on the
event loop's thread never makes the loop wait for another process's lock.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from collection.db import create_engine
from collection.sqlite_driver import WAIT_MS, OneHopCursor
from tests.support.busy_database import holding_the_database


async def test_rows_counts_ids_and_errors_come_back_as_from_aiosqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    try:
        async with engine.begin() as connection:
            raw = await connection.get_raw_connection()
            cursor = raw.dbapi_connection.cursor()  # type: ignore[union-attr]
            assert isinstance(cursor, OneHopCursor)
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
            inserted = await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
            assert inserted.lastrowid == 1
            await connection.execute(
                text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}, {"v": "d"}]
            )
            changed = await connection.execute(text("UPDATE t SET v = v || '!' WHERE id > 1"))
            assert changed.rowcount == 3
            rows = (await connection.execute(text("SELECT id, v FROM t ORDER BY id"))).all()
            assert [tuple(row) for row in rows] == [(1, "a"), (2, "b!"), (3, "c!"), (4, "d!")]
            result = await connection.execute(text("SELECT v FROM t WHERE id = 9"))
            assert result.first() is None
            with pytest.raises(IntegrityError):
                await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
            with pytest.raises(OperationalError):
                await connection.execute(text("SELECT nothing FROM nowhere"))
            # The transaction goes on after a failed statement, as with aiosqlite's cursor.
            assert await connection.scalar(text("SELECT count(*) FROM t")) == 4
    finally:
        await engine.dispose()


async def test_a_transaction_ended_by_an_error_is_rolled_back_and_frees_the_lock(
    tmp_path: Path,
) -> None:
    """The driver skips the pool's rollback only when no transaction is open: after a
    failed statement it rolls back for real, so nothing half-done stays and no write
    lock is left behind for the next transaction."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}", pool_timeout=5)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        with pytest.raises(OperationalError):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t (v) VALUES ('half done')"))
                await connection.execute(text("SELECT nothing FROM nowhere"))
        async with engine.begin() as connection:  # BEGIN IMMEDIATE: the lock is free
            await connection.execute(text("INSERT INTO t (v) VALUES ('whole')"))
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT v FROM t"))).scalars().all()
        assert rows == ["whole"]
    finally:
        await engine.dispose()


async def test_waiting_for_another_process_s_lock_leaves_the_event_loop_free(
    tmp_path: Path,
) -> None:
    """Statements run on the event loop's thread only where they cannot wait. BEGIN
    IMMEDIATE while another connection (another process: the CLI, a second server)
    holds the write lock waits on aiosqlite's thread instead: the loop goes on
    answering meanwhile, the transaction is neither refused nor lost, and it goes
    ahead once the lock is free."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}"
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))

        async def write() -> None:
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t (v) VALUES ('after the lock')"))

        async with holding_the_database(url):
            writing = asyncio.create_task(write())
            loop = asyncio.get_running_loop()
            started = loop.time()
            for _ in range(20):  # the loop keeps turning while the write waits
                await asyncio.sleep(0.01)
            # Not a speed claim: a loop stopped by SQLite's busy wait would take its 30 s.
            assert loop.time() - started < WAIT_MS / 1000 / 2
            assert not writing.done()
        await asyncio.wait_for(writing, 60)  # a hang guard, not a timing assertion
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT v FROM t"))).scalars().all()
        assert rows == ["after the lock"]
    finally:
        await engine.dispose()
