"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when asked) per test.

Set WTFC_TEST_DATABASE_URL to run the suite on PostgreSQL, e.g.
postgresql+asyncpg://postgres@127.0.0.1:5432/wtfc_test (CI does both). Under
pytest-xdist each worker gets a database of its own (a file, or `<name>_gw0` ..., created on
the same PostgreSQL server when missing and kept for the next run).

`settings` is the one Settings of the suite; a test or module changes it with a marker:
    @pytest.mark.settings(TWILIO_MPS=5)           # one test
    pytestmark = pytest.mark.settings(TWILIO_AUTH_TOKEN=AUTH_TOKEN)   # a whole file
(the closest marker wins for a key). Helpers shared by test files live in tests/support/.

Every test is marked by what it needs, from the fixtures and helpers it uses
(`pytest_collection_modifyitems` below): `browser` (Chromium), `subprocess` (a child
process: Prism, the Telegram emulator, `wtfc serve`, nginx, psql ...), `postgres`
(PostgreSQL only). `scripts/test --fast` runs the rest.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from collection.db import is_sqlite
from collection.migrate import upgrade
from collection.models import Base
from collection.runtime import Services
from collection.settings import Settings
from tests.support.marks import mark_by_needs
from wtfc.app import build_services

# Tests that build their own Settings (and the servers they start) must not depend on how
# busy the machine is: a step answers inline unless a test chooses a budget of its own.
os.environ.setdefault("WTFC_INLINE_BUDGET_MS", "60000")

TEST_SECRET = "test-secret-key-for-the-suite-only"

# Property tests: `--hypothesis-profile=fast` (scripts/test --fast) draws fewer examples;
# tests that set their own number use tests.support.fuzz.examples(n) to follow the profile.
hypothesis_settings.register_profile("fast", max_examples=20, deadline=None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mark_by_needs(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    # What collection loaded (the app, every test module) lives until the end: keep the
    # garbage collector from walking it again and again, and collect less often. About a
    # tenth of the suite's time went to the collector.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database for the whole run (one per xdist worker)."""
    url = os.environ.get("WTFC_TEST_DATABASE_URL")
    if not url:
        # tmp_path_factory is already per worker under xdist: one SQLite file each.
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'wtfc-test.db'}"
    else:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if worker:
            url = asyncio.run(_worker_database(url, worker))
    upgrade(url)
    yield url


async def _worker_database(url: str, worker: str) -> str:
    """`<database>_<worker>` on the same PostgreSQL server, created when missing."""
    import asyncpg  # type: ignore[import-untyped]

    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = parsed.set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def settings(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The suite's settings, changed by `@pytest.mark.settings(NAME=value, ...)` markers.

    Exports go to the test's own directory (tests in parallel never share one). A step
    never misses its inline budget on a busy machine by chance: tests of the background
    path set a budget of 0 or hold the step (tests/test_inbound_burst.py).
    """
    values: dict[str, Any] = {"WTFC_EXPORT_DIR": str(tmp_path / "exports")}
    for marker in reversed(list(request.node.iter_markers("settings"))):
        values.update(marker.kwargs)
    return suite_settings(database_url, **values)


def suite_settings(database_url: str, **values: Any) -> Settings:
    """The suite's settings on `database_url`, with `values` (environment names) on top: for
    fixtures whose settings depend on other fixtures (a mock server's URL)."""
    return Settings(
        **{
            "WTFC_DATABASE_URL": database_url,
            "WTFC_SECRET_KEY": TEST_SECRET,
            "WTFC_INLINE_BUDGET_MS": 60_000,
            **values,
        }
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
            # Only the tables that have rows (one query finds them): most tests touch few,
            # and every statement is a round trip to aiosqlite's thread.
            names = [t.name for t in tables] + [n for n in extra if n != "alembic_version"]
            probe = " UNION ALL ".join(
                f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names
            )
            filled = set((await connection.execute(text(probe))).scalars())
            for name in names:  # children before parents
                if name in filled:
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
