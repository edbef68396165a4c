"""Helpers for the workshop tests: a programme seeded with the sample statements, a lead."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, text

from collection.db import is_sqlite
from collection.models import Base, Programme
from collection.runtime import Services
from tests.support.admin import assisted, link_lead, make_programme, new_token, signed_in
from wtfc.app import create_app
from wtfc.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "workshop" / "statements-sample.csv"
API = "/api/v1/programmes/{code}/workshop"


def sample_rows() -> list[dict[str, str]]:
    """The sample statements that were themed (the others never reach a workshop)."""
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["theme"].strip()]


async def seed_sample(services: Services, code: str = "PARK", **extra: Any) -> Programme:
    """One response per sample statement (so each is that person's pick), its perspective kept.

    Seeding is about 70 assisted entries, about a second; on SQLite, when the database
    is empty, the rows the first seeding wrote are kept and copied back in by later tests
    of the same worker (the same rows, ids included: the emptied tables start again from
    1), so the workshop tests cost their own work. PostgreSQL always seeds for real.
    """
    url = services.settings.database_url
    key = (url, code, repr(sorted(extra.items())))
    empty = is_sqlite(url) and await _is_empty(services)
    if empty and key in _SEEDED:
        await _restore(services, _SEEDED[key])
    else:
        programme = await make_programme(services, code, **extra)
        for row in sample_rows():
            await assisted(
                services,
                programme,
                {row["category"]: [row["text"]]},
                perspective=row["perspective"] or None,
            )
        if empty:
            _SEEDED[key] = await _snapshot(services)
    async with services.sessions() as session:
        found = await session.scalar(select(Programme).where(Programme.code == code))
    assert found is not None
    return found


Rows = dict[str, list[dict[str, Any]]]
_SEEDED: dict[tuple[str, str, str], Rows] = {}


async def _is_empty(services: Services) -> bool:
    probe = " UNION ALL ".join(
        f'SELECT 1 WHERE EXISTS (SELECT 1 FROM "{table.name}")'
        for table in Base.metadata.sorted_tables
    )
    async with services.engine.connect() as connection:
        return (await connection.execute(text(probe))).first() is None


async def _snapshot(services: Services) -> Rows:
    async with services.engine.connect() as connection:
        return {
            table.name: [dict(row) for row in (await connection.execute(select(table))).mappings()]
            for table in Base.metadata.sorted_tables
        }


async def _restore(services: Services, rows: Rows) -> None:
    async with services.engine.begin() as connection:
        for table in Base.metadata.sorted_tables:  # parents before children
            if rows[table.name]:
                await connection.execute(insert(table), rows[table.name])


async def lead_token(services: Services, code: str = "PARK") -> str:
    async with signed_in(services, "lead@example.org", "lead") as http:
        await link_lead(services, code, "lead@example.org")
        return await new_token(http)


async def run_cli(services: Services, monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> int:
    """`wtfc ...` against the test database (in a thread: the command runs its own loop)."""
    monkeypatch.setenv("WTFC_DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("WTFC_SECRET_KEY", services.settings.secret_key)
    return await asyncio.to_thread(main, argv)


def lexical_client(services: Services) -> httpx.AsyncClient:
    """A client of an app set to suggest by words (WTFC_WORKSHOP_SUGGESTIONS=lexical), so
    the suite gives the same suggestions whether or not the [workshop-ml] extra is installed."""
    settings = services.settings.model_copy(update={"workshop_suggestions": "lexical"})
    app = create_app(settings, services=services, background=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
