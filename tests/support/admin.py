"""Helpers for the admin tests: users, a signed-in client, API tokens, programmes and answers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
from argon2 import PasswordHasher
from sqlalchemy import select

from admin.services import access, passwords
from admin.services.users import create_user
from collection.assisted import AssistedAnswers, record_assisted
from collection.models import Programme, Response, User
from collection.programmes import create_programme
from collection.runtime import Services
from wtfc.app import create_app

PASSWORD = "correct horse battery"

# Argon2id with the smallest cost: the suite tests the flow, not the hash's strength
# (the default costs about 0.2 s per sign-in on CI machines).
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def make_user(services: Services, email: str, role: str) -> None:
    async with services.sessions() as session, session.begin():
        await create_user(session=session, email=email, password=PASSWORD, role=role)


def client(
    services: Services, base_url: str = "http://testserver", **app_state: Any
) -> httpx.AsyncClient:
    app = create_app(services.settings, services=services, background=False)
    for key, value in app_state.items():
        setattr(app.state, key, value)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


async def login(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await http.get("/admin/login")
    return await http.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
    )


@asynccontextmanager
async def signed_in(
    services: Services, email: str, role: str, **state: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as a new user with this role."""
    await make_user(services, email, role)
    async with client(services, **state) as http:
        answer = await login(http, email)
        assert answer.status_code == 303, answer.text
        yield http


async def token_for(http: httpx.AsyncClient, path: str = "/admin/account") -> str:
    return csrf_of((await http.get(path)).text)


async def post_form(
    http: httpx.AsyncClient, path: str, data: dict[str, Any], page: str = "/admin/account"
) -> httpx.Response:
    return await http.post(path, data={**data, "csrf_token": await token_for(http, page)})


async def new_token(http: httpx.AsyncClient, name: str = "report") -> str:
    """A new API token made on the account page by the signed-in user."""
    page = await http.get("/admin/account")
    answer = await http.post(
        "/admin/account/tokens", data={"name": name, "csrf_token": csrf_of(page.text)}
    )
    found = re.search(r'<code class="token">([^<]+)</code>', answer.text)
    assert found, answer.text
    return found.group(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def link_lead(services: Services, code: str, email: str) -> None:
    """Make the user with this email a lead of the programme with this code."""
    async with services.sessions() as session, session.begin():
        programme = (
            await session.execute(select(Programme).where(Programme.code == code))
        ).scalar_one()
        user = (await session.execute(select(User).where(User.email == email))).scalar_one()
        await access.link_lead(session=session, programme=programme, user=user)


async def make_programme(services: Services, code: str = "PARK", **extra: Any) -> Programme:
    extra.setdefault("name", f"Programme {code}")
    extra.setdefault("purpose", "We are using WTfC to listen, so that things change.")
    async with services.sessions() as session, session.begin():
        return await create_programme(session=session, code=code, **extra)


async def assisted(
    services: Services,
    programme: Programme,
    statements: dict[str, list[str]],
    *,
    by: str = "staff@example.org",
    picks: dict[str, list[int]] | None = None,
    **extra: Any,
) -> Response:
    async with services.sessions() as session, session.begin():
        fresh = await session.get(Programme, programme.id)
        assert fresh is not None
        return await record_assisted(
            session=session,
            programme=fresh,
            answers=AssistedAnswers(statements=statements, picks=picks or {}, **extra),
            assisted_by=by,
            now=datetime.now(UTC),
        )
