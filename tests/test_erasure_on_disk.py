"""Erased means gone from disk: no byte of the erased words left in the database files.

SQLite: read wtfc.db and wtfc.db-wal raw, while the engine is still open (as a running
server holds them), after the person's DELETE + YES and after an admin's erasure.
PostgreSQL: after an erasure no row version (live or dead) holds the words.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from collection.db import is_sqlite
from collection.intake import InboundMessage
from collection.migrate import upgrade
from collection.models import Programme, Response
from collection.runtime import Services
from collection.settings import Settings
from collection.timers import Timers
from tests.conftest import TEST_SECRET
from tests.support.admin import assisted, make_programme, post_form, signed_in
from wtfc.app import build_services

PHONE = "+447911123456"


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    """A migrated SQLite file of this test's own, whatever database the suite uses."""
    path = tmp_path / "wtfc.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
async def on_file(sqlite_file: Path) -> AsyncIterator[tuple[Services, Path]]:
    url = f"sqlite+aiosqlite:///{sqlite_file}"
    built = build_services(Settings(WTFC_DATABASE_URL=url, WTFC_SECRET_KEY=TEST_SECRET))
    yield built, sqlite_file
    await built.close()


def _on_disk(path: Path, marker: str) -> list[str]:
    """Which of the database's files hold the marker's bytes (UTF-8), read raw."""
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")]
    return [f.name for f in files if f.exists() and marker.encode() in f.read_bytes()]


async def _converse(services: Services, *lines: str) -> None:
    for text_ in lines:
        await services.intake.handle(
            InboundMessage(
                channel="sms", address=PHONE, text=text_, external_id=f"SM{uuid.uuid4().hex}"
            )
        )


def _marker() -> str:
    return f"Marker{uuid.uuid4().hex[:12]} my day centre"


async def test_delete_yes_leaves_no_trace_in_the_sqlite_files(
    on_file: tuple[Services, Path],
) -> None:
    """After DELETE then YES, the statement's words are in neither wtfc.db nor its WAL."""
    services, path = on_file
    await make_programme(services, "PARK")
    marker = _marker()
    await _converse(services, "PARK", "YES", "1", marker, "Going out", "DONE")
    assert _on_disk(path, marker), "the statement should be on disk before the erasure"
    await _converse(services, "DELETE", "YES")
    async with services.sessions() as session:
        assert (await session.execute(select(Response))).first() is None
    assert _on_disk(path, marker) == []


async def test_an_admin_erasure_leaves_no_trace_in_the_sqlite_files(
    on_file: tuple[Services, Path],
) -> None:
    """After an administrator erases a person, their words are in neither file."""
    services, path = on_file
    park = await make_programme(services, "PARK")
    marker = _marker()
    response = await assisted(services, park, {"working": [marker, "The garden"]})
    assert _on_disk(path, marker)
    async with signed_in(services, "admin@example.org", "admin") as http:
        page = f"/admin/participants/{response.reference}/erase"
        answer = await post_form(http, page, {"confirm": response.reference}, page=page)
        assert answer.status_code == 303, answer.text
        assert _on_disk(path, marker) == []


async def test_an_erasure_leaves_no_row_version_on_postgresql(services: Services) -> None:
    """After DELETE then YES, VACUUM has run: no tuple, even a dead one, holds the words."""
    if is_sqlite(services.settings.database_url):
        pytest.skip("PostgreSQL only (the suite runs on PostgreSQL with WTFC_TEST_DATABASE_URL)")
    await make_programme(services, "PARK")
    marker = _marker()
    await _converse(services, "PARK", "YES", "1", marker, "Going out", "DONE")
    async with services.engine.connect() as connection:
        await connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        await connection.commit()
    assert await _tuples_holding(services, marker) > 0
    await _converse(services, "DELETE", "YES")
    assert await _tuples_holding(services, marker) == 0


async def _tuples_holding(services: Services, marker: str) -> int:
    """Row versions (live or dead, not yet vacuumed) holding marker, in the statement
    table and the message log (whose effects keep each statement word for word)."""
    found = 0
    for table in ("statement", "inbound_log"):
        query = text(
            f"""
            SELECT count(*) FROM generate_series(
                0, pg_relation_size('{table}') / current_setting('block_size')::int - 1
            ) AS block,
            LATERAL heap_page_items(get_raw_page('{table}', block::int)) AS item
            WHERE position(convert_to(:marker, 'UTF8') in item.t_data) > 0
            """
        )
        async with services.engine.connect() as connection:
            found += int((await connection.execute(query, {"marker": marker})).scalar_one())
    return found


async def test_a_retention_purge_leaves_no_message_text_in_the_sqlite_files(
    on_file: tuple[Services, Path],
) -> None:
    """Contact details and message text purged after retention are off the disk too."""
    services, path = on_file
    await make_programme(services, "PARK", retention_days=30)
    marker = _marker()
    # Said where a YES was expected: kept only in the message log, never as a statement.
    await _converse(services, "PARK", marker)
    assert _on_disk(path, marker)
    async with services.sessions() as session, session.begin():
        programme = (await session.execute(select(Programme))).scalar_one()
        programme.status, programme.closed_at = "closed", datetime(2026, 1, 1, tzinfo=UTC)
    await Timers(services.sessions).run(datetime(2026, 3, 1, 3, 0, tzinfo=UTC))
    assert _on_disk(path, marker) == []
