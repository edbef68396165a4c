"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when asked) per test.

Set WTFC_TEST_DATABASE_URL to run the suite on PostgreSQL, e.g.
postgresql+asyncpg://postgres@127.0.0.1:5432/wtfc_test (CI does both).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from collection.db import is_sqlite
from collection.migrate import upgrade
from collection.models import Base
from collection.runtime import Services
from collection.settings import Settings
from wtfc.app import build_services

# Tests that build their own Settings (and the servers they start) must not depend on how
# busy the machine is: a step answers inline unless a test chooses a budget of its own.
os.environ.setdefault("WTFC_INLINE_BUDGET_MS", "60000")

TEST_SECRET = "test-secret-key-for-the-suite-only"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database for the whole run."""
    url = os.environ.get("WTFC_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'wtfc-test.db'}"
    upgrade(url)
    yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    # A step never misses its inline budget on a busy machine by chance: tests of the
    # background path set a budget of 0 or hold the step (tests/test_inbound_burst.py).
    return Settings(
        WTFC_DATABASE_URL=database_url,
        WTFC_SECRET_KEY=TEST_SECRET,
        WTFC_INLINE_BUDGET_MS=60_000,
    )


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """Services on an emptied database (every table cleared before the test)."""
    built = build_services(settings)
    await clear_database(built.engine, settings.database_url)
    yield built
    await built.close()


async def clear_database(engine: AsyncEngine, url: str) -> None:
    """Delete every row of every table (the migration's version row excepted)."""
    async with engine.begin() as connection:
        tables = list(reversed(Base.metadata.sorted_tables))
        extra = [t for t in await _all_tables(connection) if t not in {x.name for x in tables}]
        if is_sqlite(url):
            for table in tables:
                await connection.execute(table.delete())
            for name in extra:
                if name != "alembic_version":
                    await connection.execute(text(f'DELETE FROM "{name}"'))
        else:
            names = [t.name for t in tables] + [n for n in extra if n != "alembic_version"]
            quoted = ", ".join(f'"{n}"' for n in names)
            await connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


async def _all_tables(connection: object) -> list[str]:
    from sqlalchemy import inspect

    def names(sync_connection: object) -> list[str]:
        return list(inspect(sync_connection).get_table_names())

    return await connection.run_sync(names)  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]
