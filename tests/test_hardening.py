"""HTTP hardening: security headers, body size cap, 503 when the database is down."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.conftest import TEST_SECRET
from wtfc.app import create_app
from wtfc.hardening import MAX_BODY_BYTES

HANG = 30.0
"""Only against a hang: an unreachable database must not be waited for, however busy the machine."""


def _client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://test",
    )


async def test_pages_carry_security_headers(settings: Settings, services: Services) -> None:
    """A strict CSP (no inline scripts), no framing, no sniffing, no referrer."""
    async with _client(create_app(settings, services=services, background=False)) as client:
        page = await client.get("/chat")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_huge_bodies_are_refused_before_they_are_read(
    settings: Settings, services: Services
) -> None:
    """A post larger than the cap gets 413, whether it declares its length or streams it."""
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK")
    big = b"{" + b" " * (MAX_BODY_BYTES + 10) + b"}"
    async with _client(create_app(settings, services=services, background=False)) as client:
        declared = await client.post(
            "/chat/messages", content=big, headers={"Content-Type": "application/json"}
        )

        async def stream() -> object:
            for _ in range(40):
                yield b" " * 10_000

        streamed = await client.post(
            "/chat/messages",
            content=stream(),  # type: ignore[arg-type]
            headers={"Content-Type": "application/json"},
        )
    assert declared.status_code == 413
    assert streamed.status_code == 413


async def test_database_outage_answers_503_quickly() -> None:
    """With the database unreachable, a message gets 503, not a hang (no waiting for it) or 500."""
    down = Settings(
        WTFC_DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/none",
        WTFC_SECRET_KEY=TEST_SECRET,
    )
    app = create_app(down, background=False)
    async with asyncio.timeout(HANG), _client(app) as client:
        answer = await client.post(
            "/chat/messages",
            json={
                "code": "PARK",
                "session": str(uuid.uuid4()),
                "message_id": str(uuid.uuid4()),
                "text": "hello",
            },
        )
        health = await client.get("/healthz")
    assert answer.status_code == 503
    assert health.status_code == 503
    await app.state.services.close()


async def test_a_flood_from_one_sender_does_not_starve_others(
    settings: Settings, services: Services
) -> None:
    """Past the per-sender limit one address gets 429; another person is still answered."""
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK")
    services.intake.limiter.limit = 10
    flooder, other = str(uuid.uuid4()), str(uuid.uuid4())

    def message(session_id: str, text: str) -> dict[str, str]:
        return {
            "code": "PARK",
            "session": session_id,
            "message_id": str(uuid.uuid4()),
            "text": text,
        }

    async with _client(create_app(settings, services=services, background=False)) as client:
        statuses = [
            (await client.post("/chat/messages", json=message(flooder, f"m{n}"))).status_code
            for n in range(12)
        ]
        refused = await client.post("/chat/messages", json=message(flooder, "again"))
        answered = await client.post("/chat/messages", json=message(other, "PARK"))
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
    assert int(refused.headers["retry-after"]) > 0
    assert answered.status_code == 200
