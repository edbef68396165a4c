"""The JSON API: per-user tokens (hashed, shown once, revocable) and what each role sees."""

from __future__ import annotations

from sqlalchemy import select

from collection.models import ApiToken
from collection.runtime import Services
from tests.support.admin import (
    assisted,
    bearer,
    client,
    csrf_of,
    link_lead,
    make_programme,
    new_token,
    signed_in,
)


async def test_token_is_shown_once_and_stored_hashed(services: Services) -> None:
    """The token appears once on creation; the table holds only its hash and a prefix."""
    async with signed_in(services, "lead@example.org", "lead") as http:
        token = await new_token(http)
        again = await http.get("/admin/account")
    assert token.startswith("wtfc_") and token not in again.text
    async with services.sessions() as session:
        row = (await session.execute(select(ApiToken))).scalar_one()
    assert row.token_hash != token and token.startswith(row.prefix)


async def test_api_needs_a_working_token(services: Services) -> None:
    """No token, a made-up one, or a revoked one: 401."""
    async with signed_in(services, "lead@example.org", "admin") as http:
        token = await new_token(http)
        assert (await http.get("/api/v1/programmes", headers=bearer(token))).status_code == 200
        async with services.sessions() as session:
            token_id = (await session.execute(select(ApiToken.id))).scalar_one()
        page = await http.get("/admin/account")
        await http.post(
            f"/admin/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(page.text)}
        )
    async with client(services) as anon:
        assert (await anon.get("/api/v1/programmes")).status_code == 401
        assert (
            await anon.get("/api/v1/programmes", headers=bearer("wtfc_madeup"))
        ).status_code == 401
        assert (await anon.get("/api/v1/programmes", headers=bearer(token))).status_code == 401


async def test_lead_token_sees_only_their_programmes(services: Services) -> None:
    """A lead's token lists and reads only their programmes; progress comes as numbers."""
    mine = await make_programme(services, "MINE", target=10)
    await make_programme(services, "THEIRS")
    await assisted(services, mine, {"working": ["The garden"]})
    async with signed_in(services, "lead@example.org", "lead") as http:
        await link_lead(services, "MINE", "lead@example.org")
        token = await new_token(http)
    async with client(services) as api:
        listing = (await api.get("/api/v1/programmes", headers=bearer(token))).json()
        progress = await api.get("/api/v1/programmes/MINE/progress", headers=bearer(token))
        statements = await api.get("/api/v1/programmes/MINE/statements", headers=bearer(token))
        other = await api.get("/api/v1/programmes/THEIRS", headers=bearer(token))
    assert [p["code"] for p in listing] == ["MINE"]
    assert progress.json()["completed"] == 1 and progress.json()["target"] == 10
    assert statements.json()[0]["text"] == "The garden"
    assert statements.json()[0]["pick_rank"] == 1
    assert statements.json()[0]["translation"] is None
    assert other.status_code == 404


async def test_staff_token_cannot_read_statements_or_change(services: Services) -> None:
    """Staff tokens read programmes and progress, not statements, and cannot edit."""
    await make_programme(services, "PARK")
    async with signed_in(services, "staff@example.org", "staff") as http:
        token = await new_token(http)
    async with client(services) as api:
        assert (
            await api.get("/api/v1/programmes/PARK/progress", headers=bearer(token))
        ).status_code == 200
        assert (
            await api.get("/api/v1/programmes/PARK/statements", headers=bearer(token))
        ).status_code == 403
        patch = await api.patch(
            "/api/v1/programmes/PARK", json={"target": 5}, headers=bearer(token)
        )
    assert patch.status_code == 403


async def test_api_create_and_update_programme(services: Services) -> None:
    """A lead creates a programme through the API and changes one field."""
    async with signed_in(services, "lead@example.org", "lead") as http:
        token = await new_token(http)
    async with client(services) as api:
        made = await api.post(
            "/api/v1/programmes",
            headers=bearer(token),
            json={
                "name": "Park",
                "code": "park",
                "level": "unit",
                "target": 8,
                "segments": [{"name": "House A", "target": 4}],
                "status": "collecting",
            },
        )
        changed = await api.patch(
            "/api/v1/programmes/PARK", headers=bearer(token), json={"target": 12}
        )
        bad = await api.patch(
            "/api/v1/programmes/PARK", headers=bearer(token), json={"future_colour": "blue"}
        )
    assert made.status_code == 201 and made.json()["code"] == "PARK"
    assert changed.json()["target"] == 12 and changed.json()["level"] == "unit"
    assert bad.status_code == 422


async def test_openapi_describes_the_api_only(services: Services) -> None:
    """/openapi.json lists the API with bearer auth, and no admin HTML pages."""
    async with client(services) as http:
        schema = (await http.get("/openapi.json")).json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/programmes",
        "/api/v1/programmes/{code}/progress",
        "/api/v1/programmes/{code}/statements",
    } <= paths
    assert not any(p.startswith("/admin") for p in paths)
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


async def test_statements_carry_the_reviewers_translation(services: Services) -> None:
    """A translation added in the quality review comes out of the API with the statement."""
    from sqlalchemy import update

    from collection.models import Statement

    mine = await make_programme(services, "MINE", languages=["cy", "en"])
    await assisted(services, mine, {"working": ["Mynd i'r caffi"]})
    async with services.sessions() as session, session.begin():
        await session.execute(update(Statement).values(translation="Going to the cafe"))
    async with signed_in(services, "lead@example.org", "lead") as http:
        await link_lead(services, "MINE", "lead@example.org")
        token = await new_token(http)
    async with client(services) as api:
        statements = await api.get("/api/v1/programmes/MINE/statements", headers=bearer(token))
    assert statements.json()[0]["translation"] == "Going to the cafe"
