"""A PostgreSQL database of its own, for tests that need PostgreSQL whatever the suite uses."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET

ADMIN_URL = os.environ.get(
    "WTFC_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
ROOT = Path(__file__).resolve().parents[2]


def wtfc(url: str, *args: str) -> None:
    env = {**os.environ, "WTFC_DATABASE_URL": url, "WTFC_SECRET_KEY": TEST_SECRET}
    subprocess.run(
        [sys.executable, "-m", "wtfc.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database with the programme PARK, dropped afterwards."""
    name = f"wtfc_own_{uuid.uuid4().hex[:10]}"
    subprocess.run(["psql", ADMIN_URL, "-qc", f"CREATE DATABASE {name}"], check=True)
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    wtfc(url, "programme", "create", "--name", "Park", "--code", "PARK")
    yield url
    subprocess.run(
        ["psql", ADMIN_URL, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
        check=False,
        timeout=60,
    )
