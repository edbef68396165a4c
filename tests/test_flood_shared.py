"""Floods bounded across processes: per sender, and new web chat conversations per client
address and per programme, counted in the database; a registered kiosk is exempt.

"Two app instances" are two apps built from the same settings, each with its own
services (engine, intake, in-memory limiter), sharing one database: what two
processes share. tests/test_many_processes.py-style real processes are below too.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from collection.flood import SharedCounter, TooManyMessagesError
from collection.kiosk import is_kiosk, kiosk_key
from collection.models import InboundLog, Participant
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.conftest import TEST_SECRET
from tests.support.app_server import AppServer
from tests.support.twilio_client import AUTH_TOKEN, TwilioWebhookClient
from wtfc.app import build_services, create_app


async def _programmes(services: Services, *codes: str) -> None:
    async with services.sessions() as session, session.begin():
        for code in codes:
            await create_programme(session=session, name=f"Programme {code}", code=code)


async def _count(services: Services, model: Any) -> int:
    async with services.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


@asynccontextmanager
async def _app(
    settings: Settings, services: Services | None = None, client: str = "203.0.113.7"
) -> AsyncIterator[httpx.AsyncClient]:
    """One app instance; `client` is the address the requests come from."""
    own = services is None
    built = services or build_services(settings)
    app = create_app(settings, services=built, background=False)
    transport = httpx.ASGITransport(app=app, client=(client, 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http
    finally:
        if own:
            await built.close()


async def _start(
    http: httpx.AsyncClient, code: str = "PARK", key: str | None = None, lang: str = "en"
) -> httpx.Response:
    """A new visitor's page opens: a fresh session id joins the programme."""
    body: dict[str, Any] = {
        "code": code,
        "session": str(uuid.uuid4()),
        "message_id": str(uuid.uuid4()),
        "text": "",
        "kind": "join",
    }
    if key is not None:
        body["kiosk_key"] = key
    return await http.post("/chat/messages", json=body, headers={"Accept-Language": lang})


def _limits(settings: Settings, **changes: int) -> Settings:
    return settings.model_copy(update=changes)


async def test_fresh_sessions_from_one_address_are_bounded(
    settings: Settings, services: Services
) -> None:
    """100 fresh sessions from one address store 5 people (the limit), then a kind 429."""
    await _programmes(services, "PARK")
    limited = _limits(settings, flood_new_per_address_per_hour=5)
    services.settings = limited
    async with _app(limited, services) as http:
        answers = [await _start(http) for _ in range(100)]
        async with _app(limited, services, client="198.51.100.9") as other:
            elsewhere = await _start(other)
    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert {a.status_code for a in answers[5:]} == {429}
    refused = answers[5]
    assert "wait a few minutes" in refused.json()["detail"]
    assert int(refused.headers["Retry-After"]) > 0
    assert elsewhere.status_code == 200
    assert await _count(services, Participant) == 6
    assert await _count(services, InboundLog) == 6


async def test_the_kind_answer_is_in_the_visitors_language(
    settings: Settings, services: Services
) -> None:
    """A Welsh browser is told in Welsh."""
    await _programmes(services, "PARK")
    services.settings = _limits(settings, flood_new_per_address_per_hour=1)
    async with _app(services.settings, services) as http:
        await _start(http)
        refused = await _start(http, lang="cy")
    assert refused.status_code == 429 and "Arhoswch" in refused.json()["detail"]


async def test_new_conversations_per_programme_are_bounded_from_any_address(
    settings: Settings, services: Services
) -> None:
    """Past the programme's limit a new visitor waits, from any address; others go on."""
    await _programmes(services, "PARK", "OAK")
    services.settings = _limits(settings, flood_new_per_programme_per_minute=3)
    statuses = []
    for n in range(5):
        async with _app(services.settings, services, client=f"192.0.2.{n + 1}") as http:
            statuses.append((await _start(http)).status_code)
            if n == 4:
                oak = await _start(http, code="OAK")
    assert statuses == [200, 200, 200, 429, 429]
    assert oak.status_code == 200


async def test_a_conversation_already_started_is_not_a_new_one(
    settings: Settings, services: Services
) -> None:
    """Someone who started before the limit was reached carries on answering."""
    await _programmes(services, "PARK")
    services.settings = _limits(settings, flood_new_per_address_per_hour=1)
    session_id = str(uuid.uuid4())
    async with _app(services.settings, services) as http:
        for n, (kind, text) in enumerate([("join", ""), ("text", "YES"), ("text", "1")]):
            answer = await http.post(
                "/chat/messages",
                json={
                    "code": "PARK",
                    "session": session_id,
                    "message_id": str(uuid.uuid4()),
                    "text": text,
                    "kind": kind,
                },
            )
            assert answer.status_code == 200, n
        assert (await _start(http)).status_code == 429


async def test_a_registered_kiosk_is_exempt(settings: Settings, services: Services) -> None:
    """With the admin link's key, a kiosk starts a conversation per person; a made-up key
    or another programme's key does not."""
    await _programmes(services, "PARK", "OAK")
    services.settings = _limits(
        settings, flood_new_per_address_per_hour=2, flood_new_per_programme_per_minute=2
    )
    key = kiosk_key(settings.secret_key, "PARK")
    async with _app(services.settings, services) as http:
        ordinary = [(await _start(http)).status_code for _ in range(3)]
        kiosk = [(await _start(http, key=key)).status_code for _ in range(12)]
        forged = (await _start(http, key="0" * 32)).status_code
        wrong = (await _start(http, code="OAK", key=key)).status_code
        page = await http.get(f"/chat?code=PARK&kiosk=1&key={key}")
        bad_page = await http.get("/chat?code=PARK&kiosk=1&key=nope")
    assert ordinary == [200, 200, 429]
    assert kiosk == [200] * 12
    assert forged == 429 and wrong == 429
    assert f'data-kiosk-key="{key}"' in page.text
    assert "data-kiosk-key" not in bad_page.text


def test_any_kiosk_key_a_visitor_sends_is_just_wrong() -> None:
    """Non-ASCII, half an emoji or too long: not the key, never an error (the API fuzz
    found that comparing non-ASCII text raised)."""
    for key in ("é" * 32, "\ud83d" * 10, "0" * 65, "", None):
        assert not is_kiosk(TEST_SECRET, "PARK", key)
    assert is_kiosk(TEST_SECRET, "park", kiosk_key(TEST_SECRET, "PARK"))


async def test_two_app_instances_share_the_per_sender_limit(
    settings: Settings, services: Services
) -> None:
    """One SMS sender alternating between two instances gets the limit once, not twice."""
    await _programmes(services, "PARK")
    limited = _limits(
        settings, twilio_auth_token=AUTH_TOKEN, flood_messages_per_sender_per_minute=6
    )
    services.settings = limited
    statuses = []
    async with _app(limited) as first, _app(limited) as second:
        clients = [
            TwilioWebhookClient(first, signed_base="http://test"),
            TwilioWebhookClient(second, signed_base="http://test"),
        ]
        for n in range(12):
            statuses.append((await clients[n % 2].text("PARK" if n == 0 else f"m{n}")).status)
    assert statuses == [200] * 6 + [429] * 6
    assert await _count(services, InboundLog) == 6


async def test_two_app_instances_share_the_new_conversation_limit(
    settings: Settings, services: Services
) -> None:
    """Fresh sessions from one address spread over two instances: the limit holds once."""
    await _programmes(services, "PARK")
    limited = _limits(settings, flood_new_per_address_per_hour=4)
    async with _app(limited) as first, _app(limited) as second:
        statuses = [(await _start((first, second)[n % 2])).status_code for n in range(10)]
    assert statuses == [200] * 4 + [429] * 6
    assert await _count(services, Participant) == 4


async def test_the_shared_window_slides(services: Services) -> None:
    """Counted per window, with the previous slot weighted: no double burst at a boundary."""
    counter = SharedCounter(services.sessions)
    for _ in range(4):
        await counter.hit("k", limit=4, window=60, now=59.0)
    with pytest.raises(TooManyMessagesError):
        await counter.hit("k", limit=4, window=60, now=61.0)  # 4 * 59/60 + 1 > 4
    await counter.hit("k", limit=4, window=60, now=60 + 59.0)  # 4 * 1/60 + 2 <= 4
    await counter.hit("other", limit=4, window=60, now=61.0)


@pytest.mark.slow
async def test_two_real_processes_share_the_per_sender_limit(
    database_url: str, services: Services, tmp_path: Path
) -> None:
    """Two `uvicorn` processes on one database: one web chat session gets the limit once."""
    await _programmes(services, "PARK")
    env = {
        "WTFC_DATABASE_URL": database_url,
        "WTFC_SECRET_KEY": TEST_SECRET,
        "WTFC_FLOOD_MESSAGES_PER_SENDER_PER_MINUTE": "8",
    }
    servers = [AppServer(env, log=tmp_path / f"server{n}.log") for n in range(2)]
    for server in servers:
        server.start(timeout=60)
    session_id = str(uuid.uuid4())
    statuses = []
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            for n in range(16):
                answer = await http.post(
                    servers[n % 2].base_url + "/chat/messages",
                    json={
                        "code": "PARK",
                        "session": session_id,
                        "message_id": str(uuid.uuid4()),
                        "text": "" if n == 0 else f"message {n}",
                        "kind": "join" if n == 0 else "text",
                    },
                )
                statuses.append(answer.status_code)
    finally:
        for server in servers:
            server.stop()
    assert statuses == [200] * 8 + [429] * 8
    assert await _count(services, InboundLog) == 8
