"""Bad input to the API answers 4xx with a reason, and nothing bad is committed."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from admin.services.tokens import create_token
from collection.models import User
from collection.runtime import Services
from tests.support.admin import client, make_programme, make_user


async def api_token(
    services: Services, email: str = "lead@example.org", role: str = "admin"
) -> str:
    """A working API token for a new user with this role."""
    await make_user(services, email, role)
    async with services.sessions() as session, session.begin():
        owner = (await session.execute(select(User).where(User.email == email))).scalar_one()
        made = await create_token(session=session, user=owner, name="test", now=datetime.now(UTC))
    return made.token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _patch(services: Services, token: str, body: object) -> httpx.Response:
    async with client(services) as api:
        return await api.patch("/api/v1/programmes/PARK", json=body, headers=_bearer(token))


async def test_patch_with_segments_differing_only_in_case_is_refused(services: Services) -> None:
    """Segments `a` and `A` are one name twice: 422, and the programme list still works."""
    await make_programme(services, "PARK")
    token = await api_token(services)
    answer = await _patch(
        services, token, {"segments": [{"name": "a"}, {"name": "A", "target": 3}]}
    )
    assert answer.status_code == 422
    assert "own name" in answer.text
    async with client(services) as api:
        listing = await api.get("/api/v1/programmes", headers=_bearer(token))
    assert listing.status_code == 200
    assert listing.json()[0]["segments"] == []


@pytest.mark.parametrize(
    ("languages", "says"),
    [([], "at least one language"), (["xx"], "unknown language"), ([""], "unknown language")],
)
async def test_patch_with_empty_or_unknown_languages_is_refused(
    services: Services, languages: list[str], says: str
) -> None:
    """No languages, or a language the bot does not speak: 422 saying so, nothing changed."""
    await make_programme(services, "PARK", languages=["en", "cy"])
    token = await api_token(services)
    answer = await _patch(services, token, {"languages": languages})
    assert answer.status_code == 422
    assert says in answer.text
    async with client(services) as api:
        read = await api.get("/api/v1/programmes/PARK", headers=_bearer(token))
    assert read.json()["languages"] == ["en", "cy"]


async def test_statements_since_without_a_time_zone_is_refused(services: Services) -> None:
    """`since=2026-01-01T00:00:00` (no zone) is ambiguous: 422; with `Z` it works."""
    await make_programme(services, "PARK")
    token = await api_token(services)
    async with client(services) as api:
        naive = await api.get(
            "/api/v1/programmes/PARK/statements",
            params={"since": "2026-01-01T00:00:00"},
            headers=_bearer(token),
        )
        aware = await api.get(
            "/api/v1/programmes/PARK/statements",
            params={"since": "2026-01-01T00:00:00Z"},
            headers=_bearer(token),
        )
    assert naive.status_code == 422
    assert "timezone" in naive.text
    assert aware.status_code == 200


@pytest.mark.parametrize("code", ["PARK%00", "12345678901234567890123", "%F0%9F%98%80", "P A"])
async def test_odd_programme_codes_in_the_path_are_not_found(services: Services, code: str) -> None:
    """A code no programme could have (NUL, too long, emoji) is a plain 404."""
    await make_programme(services, "PARK")
    token = await api_token(services)
    async with client(services) as api:
        answer = await api.get(f"/api/v1/programmes/{code}/progress", headers=_bearer(token))
    assert answer.status_code == 404


async def test_text_with_a_nul_character_is_refused(services: Services) -> None:
    """PostgreSQL cannot store NUL in text: the API says 422 instead of failing."""
    await make_programme(services, "PARK")
    token = await api_token(services)
    answer = await _patch(services, token, {"name": "Park\x00Centre"})
    assert answer.status_code == 422
    async with client(services) as api:
        made = await api.post(
            "/api/v1/programmes",
            json={"name": "Other", "code": "OTHER", "purpose": "\x00"},
            headers=_bearer(token),
        )
    assert made.status_code == 422


async def test_the_chat_page_with_a_nul_in_the_code_is_no_server_error(services: Services) -> None:
    """`/chat?code=PARK%00` (found by the API fuzzer on PostgreSQL): the plain chat page."""
    await make_programme(services, "PARK")
    async with client(services) as http:
        page = await http.get("/chat", params={"code": "PARK\x00"})
    assert page.status_code == 200
    assert "Programme PARK" not in page.text


async def test_a_taken_code_is_a_422_in_the_documented_shape(services: Services) -> None:
    """Found by the API fuzzer: a rule the schema cannot express (a code already taken)
    answers 422 with `detail` a list of errors, as /openapi.json documents every 422."""
    await make_programme(services, "PARK")
    token = await api_token(services)
    async with client(services) as api:
        taken = await api.post(
            "/api/v1/programmes", json={"name": "Again", "code": "park"}, headers=_bearer(token)
        )
    assert taken.status_code == 422
    [error] = taken.json()["detail"]
    assert error["msg"] == "A programme with the code PARK already exists."
    assert error["loc"] == ["body"]


async def test_feedback_in_a_language_the_programme_lacks_is_a_422_in_the_documented_shape(
    services: Services,
) -> None:
    """Found by the API fuzzer: a feedback round's refusal is a list of errors, like every 422."""
    await make_programme(services, "PARK")
    token = await api_token(services)
    async with client(services) as api:
        refused = await api.post(
            "/api/v1/programmes/PARK/feedback",
            json={"texts": {"xx": "Hello"}},
            headers=_bearer(token),
        )
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert "PARK does not use xx" in error["msg"]
