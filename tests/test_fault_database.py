"""PostgreSQL stopped during traffic: requests get 503 meanwhile and recover without a restart.

This test stops and starts the machine's PostgreSQL cluster (as CI and every developer
machine here has it at 127.0.0.1:5432), on a database of its own, whichever database
the rest of the suite runs on.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET
from tests.support.app_server import AppServer
from tests.support.pg import pg_database

__all__ = ["pg_database"]


def _cluster(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            version,
            "main",
            action,
            *(["-m", "fast"] if action == "stop" else []),
        ],
        check=True,
        timeout=60,
    )


def _wait_for_postgres(up: bool) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode
        if (ready == 0) == up:
            return
        time.sleep(0.2)
    raise RuntimeError("PostgreSQL did not change state")


@pytest.mark.slow
async def test_postgres_outage_gives_503_then_recovers(pg_database: str, tmp_path: Path) -> None:
    """While PostgreSQL is down every answer is a quick 503; afterwards the same server works."""
    server = AppServer(
        {"WTFC_DATABASE_URL": pg_database, "WTFC_SECRET_KEY": TEST_SECRET},
        log=tmp_path / "server.log",
    )
    server.start()
    person = str(uuid.uuid4())

    async def say(client: httpx.AsyncClient, text: str, kind: str = "text") -> httpx.Response:
        return await client.post(
            server.base_url + "/chat/messages",
            timeout=20,
            json={
                "code": "PARK",
                "session": person,
                "message_id": str(uuid.uuid4()),
                "text": text,
                "kind": kind,
            },
        )

    try:
        async with httpx.AsyncClient() as client:
            assert (await say(client, "", "join")).status_code == 200
            assert (await say(client, "YES")).status_code == 200
            _cluster("stop")
            _wait_for_postgres(up=False)
            during = []
            for _ in range(5):
                started = time.monotonic()
                answer = await say(client, "1")
                during.append((answer.status_code, time.monotonic() - started))
            health = await client.get(server.base_url + "/healthz", timeout=20)
            _cluster("start")
            _wait_for_postgres(up=True)
            recovered = None
            for _ in range(40):
                recovered = await say(client, "1")
                if recovered.status_code == 200:
                    break
                await asyncio.sleep(0.5)
    finally:
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode:
            _cluster("start")
        server.stop()
    assert {status for status, _ in during} == {503}
    assert max(seconds for _, seconds in during) < 12
    assert health.status_code == 503
    assert recovered is not None and recovered.status_code == 200
    assert "What is working well" in recovered.json()["replies"][0]["text"]
