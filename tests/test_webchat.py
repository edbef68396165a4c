"""The web chat: a page a centre leaves open, and a conversation through HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from collection.models import Pick, Statement
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from wtfc.app import create_app


@pytest.fixture
async def client(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    async with services.sessions() as session, session.begin():
        await create_programme(
            session=session,
            name="Park Centre",
            code="PARK",
            purpose="We want to hear you.",
            languages=["en", "cy"],
        )
    app = create_app(settings, services=services, background=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def _say(
    client: httpx.AsyncClient,
    session: uuid.UUID,
    text: str,
    kind: str = "text",
    turn: int | None = None,
) -> list[dict[str, object]]:
    answer = await client.post(
        "/chat/messages",
        json={
            "code": "PARK",
            "session": str(session),
            "message_id": str(uuid.uuid4()),
            "text": text,
            "kind": kind,
            "turn": turn,
        },
    )
    assert answer.status_code == 200, answer.text
    replies: list[dict[str, object]] = answer.json()["replies"]
    return replies


async def test_the_page_loads_with_the_programme_and_a_next_person_button(
    client: httpx.AsyncClient,
) -> None:
    """The kiosk page names the programme and has the button that clears the session."""
    page = await client.get("/chat?code=park&kiosk=1")
    assert page.status_code == 200
    assert "Park Centre" in page.text
    assert 'id="next-person"' in page.text
    assert "<script>" not in page.text  # scripts come from files (strict CSP later)


async def test_a_whole_conversation_in_the_web_chat(
    client: httpx.AsyncClient, services: Services
) -> None:
    """Join, answer, pick and confirm over HTTP; no follow-up question on the kiosk."""
    me = uuid.uuid4()
    welcome = await _say(client, me, "", kind="join")
    assert "Reply YES" in str(welcome[1]["text"])
    assert [b["value"] for b in welcome[1]["buttons"]] == ["YES", "NO"]  # type: ignore[index]
    for text in (
        "YES",
        "1",
        "Going out",
        "My flat",
        "My dog",
        "DONE",
        "1 3",
        "The bus",
        "DONE",
        "A job",
        "DONE",
    ):
        replies = await _say(client, me, text)
    assert "Here is what matters most to you" in str(replies[0]["text"])
    final = await _say(client, me, "YES")
    assert "Thank you for taking part" in str(final[0]["text"])
    async with services.sessions() as session:
        assert (await session.execute(select(func.count(Statement.id)))).scalar_one() == 5
        assert (await session.execute(select(func.count(Pick.id)))).scalar_one() == 4


async def test_the_next_person_starts_fresh(client: httpx.AsyncClient) -> None:
    """A new session token is a new participant: the welcome comes again."""
    first, second = uuid.uuid4(), uuid.uuid4()
    await _say(client, first, "", kind="join")
    await _say(client, first, "YES")
    replies = await _say(client, second, "", kind="join")
    assert "Hello from Park Centre" in str(replies[0]["text"])


async def test_welsh_browser_gets_welsh_first(client: httpx.AsyncClient) -> None:
    """Accept-Language picks the first language when the programme offers it."""
    answer = await client.post(
        "/chat/messages",
        headers={"Accept-Language": "cy-GB,en;q=0.5"},
        json={
            "code": "PARK",
            "session": str(uuid.uuid4()),
            "message_id": str(uuid.uuid4()),
            "kind": "join",
        },
    )
    assert answer.json()["language"] == "cy"


async def test_bad_input_gets_a_clear_answer_never_a_500(client: httpx.AsyncClient) -> None:
    """Unknown codes, huge messages and broken JSON are refused with a 4xx."""
    unknown = await client.post(
        "/chat/messages",
        json={
            "code": "NOPE",
            "session": str(uuid.uuid4()),
            "message_id": str(uuid.uuid4()),
            "kind": "join",
        },
    )
    assert unknown.status_code == 404
    huge = await client.post(
        "/chat/messages",
        json={
            "code": "PARK",
            "session": str(uuid.uuid4()),
            "message_id": str(uuid.uuid4()),
            "text": "x" * 6000,
        },
    )
    assert huge.status_code == 422
    broken = await client.post(
        "/chat/messages", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422
