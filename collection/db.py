"""Database engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode and every transaction starts with BEGIN IMMEDIATE, so two
messages handled at once queue for the write lock instead of failing half way.
PostgreSQL uses row locks (SELECT ... FOR UPDATE) and can serve many processes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from collection.sqlite_driver import BEGIN, WAIT_MS, fast_aiosqlite_dbapi

SessionFactory = async_sessionmaker[AsyncSession]

SQLITE_BUSY_TIMEOUT_MS = WAIT_MS


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def database_exists(url: str) -> bool:
    """Whether the database is there already. Only a SQLite file can be missing (and would
    be created by connecting); a server database is taken to exist (connecting tells)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    name = parsed.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return True
    return Path(name).exists()


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """An async engine with the settings each database needs for safe concurrent writes."""
    if is_sqlite(url):
        # One connection per process: SQLite has one writer at a time anyway, and
        # queueing for the connection in asyncio is far faster than SQLite's own busy
        # wait (it sleeps up to 100 ms per retry, which made p99 latency seconds).
        options.setdefault("pool_size", 1)
        options.setdefault("max_overflow", 0)
        options.setdefault("pool_timeout", 30)
        if make_url(url).get_driver_name() == "aiosqlite":
            options.setdefault("module", fast_aiosqlite_dbapi())  # see sqlite_driver
        # The driver runs statements on the event loop's thread too (see sqlite_driver):
        # one connection, used by one caller at a time, from either thread.
        connect_args = {"timeout": 30, "check_same_thread": False}
        engine = create_async_engine(url, connect_args=connect_args, **options)
        _configure_sqlite(engine)
        return engine
    options.setdefault("pool_size", 10)
    options.setdefault("max_overflow", 10)
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_timeout", 5)
    connect_args = options.pop("connect_args", {})
    connect_args.setdefault("timeout", 5)
    connect_args.setdefault("command_timeout", 10)
    return create_async_engine(url, connect_args=connect_args, **options)


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten with zeros, not just unlinked: erased statements
        # leave nothing in free pages or page slack (see collection/erasure.py, scrub).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(BEGIN)  # the driver runs it without waiting if it can


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


async def insert_if_missing(
    session: AsyncSession, model: type[Any], values: dict[str, Any], keys: list[str]
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on either database: safe when two race to create."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
    )
