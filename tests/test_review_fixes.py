"""The smaller holes an outside review found (issue 12, point 7), each closed."""

from __future__ import annotations

import argparse
import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from openpyxl import load_workbook
from sqlalchemy import select

from admin.exports.cells import safe_cell
from admin.services.tokens import create_token
from collection.models import LoginAttempt, User
from collection.runtime import Services
from collection.settings import Settings
from tests.conftest import TEST_SECRET
from tests.support.admin import (
    PASSWORD,
    assisted,
    csrf_of,
    login,
    make_programme,
    make_user,
    post_form,
    signed_in,
)
from tests.support.app_server import free_port
from wtfc.app import create_app
from wtfc.serve import serve

NEW_PASSWORD = "a brand new passphrase"


def _client(services: Services, address: str = "127.0.0.1", **settings: Any) -> httpx.AsyncClient:
    """A client connecting from `address`, to an app with these extra settings."""
    app_settings = (
        Settings(
            WTFC_DATABASE_URL=services.settings.database_url,
            WTFC_SECRET_KEY=TEST_SECRET,
            **settings,
        )
        if settings
        else services.settings
    )
    app = create_app(app_settings, services=services, background=False)
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


# -- sign-in throttle: per account and address, and slower per account ------------------------


async def test_failures_from_one_address_do_not_lock_the_owner_out(services: Services) -> None:
    """Five wrong passwords from a stranger's address: the owner still signs in from theirs."""
    await make_user(services, "lead@example.org", "lead")
    async with _client(services, "203.0.113.9") as stranger:
        for _ in range(5):
            assert (await login(stranger, "lead@example.org", "wrong")).status_code == 400
        assert (await login(stranger, "lead@example.org")).status_code == 429
    async with _client(services, "198.51.100.4") as owner:
        assert (await login(owner, "lead@example.org")).status_code == 303


async def test_failures_spread_over_many_addresses_hit_the_account_limit(
    services: Services,
) -> None:
    """Guessing from many addresses (4 each, under the per-address limit) stops at 50."""
    await make_user(services, "lead@example.org", "lead")
    for machine in range(13):
        async with _client(services, f"203.0.113.{machine + 1}") as guesser:
            for _ in range(4):
                await login(guesser, "lead@example.org", "wrong")
    async with _client(services, "198.51.100.4") as owner:
        answer = await login(owner, "lead@example.org")
    assert answer.status_code == 429
    assert "60 minutes" in answer.text


# -- a new password ends the API tokens and other sessions -----------------------------------


async def _token_for(services: Services, email: str) -> str:
    async with services.sessions() as session, session.begin():
        user = (await session.execute(select(User).where(User.email == email))).scalar_one()
        return (
            await create_token(session=session, user=user, name="t", now=datetime.now(UTC))
        ).token


async def _api_works(services: Services, token: str) -> bool:
    async with _client(services) as api:
        answer = await api.get("/api/v1/programmes", headers={"Authorization": f"Bearer {token}"})
    return answer.status_code == 200


async def test_changing_ones_password_ends_ones_api_tokens(services: Services) -> None:
    """After the owner changes their password, their old API token answers 401."""
    async with signed_in(services, "lead@example.org", "lead") as http:
        token = await _token_for(services, "lead@example.org")
        assert await _api_works(services, token)
        changed = await post_form(
            http, "/admin/account/password", {"current": PASSWORD, "new": NEW_PASSWORD}
        )
        assert changed.status_code == 303
    assert not await _api_works(services, token)


async def test_an_admins_password_reset_ends_the_users_tokens_and_sessions(
    services: Services,
) -> None:
    """An admin resets a lead's password: the lead's token and signed-in browser stop working."""
    async with signed_in(services, "lead@example.org", "lead") as lead_browser:
        token = await _token_for(services, "lead@example.org")
        async with signed_in(services, "admin@example.org", "admin") as admin:
            async with services.sessions() as session:
                lead_id = (
                    await session.execute(select(User.id).where(User.email == "lead@example.org"))
                ).scalar_one()
            reset = await post_form(
                admin,
                f"/admin/users/{lead_id}",
                {"password": NEW_PASSWORD, "role": "lead", "active": "yes"},
                page="/admin/users",
            )
            assert reset.status_code == 303, reset.text
        after = await lead_browser.get("/admin/account")
    assert after.status_code == 303 and "/admin/login" in after.headers["location"]
    assert not await _api_works(services, token)


# -- the web chat says nothing of a draft programme -------------------------------------------


async def test_the_chat_page_reveals_nothing_about_a_draft(services: Services) -> None:
    """`/chat?code=SECRET` for a draft looks exactly like a code that does not exist."""
    await make_programme(services, "SECRET", name="Confidential pilot", status="draft")
    async with _client(services) as http:
        draft = await http.get("/chat", params={"code": "SECRET"})
        unknown = await http.get("/chat", params={"code": "NOSUCH"})
        join = await http.post(
            "/chat/messages",
            json={
                "session": "9b2f7c4e-6a57-4d8e-9a7b-3c1d2e4f5a6b",
                "message_id": "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
                "kind": "join",
                "code": "SECRET",
            },
        )
    assert draft.status_code == 200
    assert "Confidential pilot" not in draft.text
    assert draft.text == unknown.text
    assert join.status_code == 404


# -- staff do not read statements on the participant page -------------------------------------


async def test_staff_see_how_many_statements_but_not_what_they_say(services: Services) -> None:
    """Staff find a response by reference; the words are for leads and admins only."""
    park = await make_programme(services, "PARK")
    response = await assisted(services, park, {"working": ["My carer listens", "The garden"]})
    async with signed_in(services, "staff@example.org", "staff") as http:
        staff_page = await http.get(f"/admin/participants?reference={response.reference}")
    async with signed_in(services, "admin@example.org", "admin") as http:
        admin_page = await http.get(f"/admin/participants?reference={response.reference}")
    assert staff_page.status_code == 200
    assert "My carer listens" not in staff_page.text
    assert "2 statements" in staff_page.text
    assert "My carer listens" in admin_page.text


# -- spreadsheet cells: formulas in disguise ---------------------------------------------------

DISGUISED = [
    '\u200b=HYPERLINK("http://x","y")',  # zero-width space
    "\ufeff=1+1",  # byte order mark
    '＝HYPERLINK("http://x","y")',  # full-width equals
    "＋1",
    "－1",
    "＠SUM(A1)",
    "\u00a0=1",  # no-break space
    "\u202e=1",  # right-to-left override
    "\u2060\u200d+1",  # word joiner, zero-width joiner
    "﹦1",  # small equals sign
    "\u3000-1",  # ideographic space
]


@pytest.mark.parametrize("text", DISGUISED)
def test_a_formula_behind_invisible_or_look_alike_characters_is_neutralised(text: str) -> None:
    """The cell gets the safe `'` prefix, and keeps the person's text as typed."""
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Going out = fun", "ŵyl", "１０ out of 10", "\u200bHello"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert safe_cell(text) == text


async def test_csv_and_xlsx_exports_neutralise_disguised_formulas(services: Services) -> None:
    """Through the API's exports: every disguised formula arrives with the safe prefix."""
    park = await make_programme(services, "PARK")
    await assisted(
        services,
        park,
        {"working": DISGUISED[:5], "future": DISGUISED[5:10]},
        picks={"working": [1, 2], "future": [1, 2]},
    )
    await make_user(services, "lead@example.org", "admin")
    token = await _token_for(services, "lead@example.org")
    headers = {"Authorization": f"Bearer {token}"}
    async with _client(services) as api:
        csv_file = await api.get("/api/v1/programmes/PARK/exports/csv?all=true", headers=headers)
        xlsx = await api.get("/api/v1/programmes/PARK/exports/xlsx?all=true", headers=headers)
    rows = list(csv.DictReader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    card_texts = [r["card_text"] for r in rows]
    assert len(card_texts) == 10
    assert all(text.startswith("'") for text in card_texts), card_texts
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = {
        str(cell.value)
        for sheet in book.worksheets[1:]
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    for text in card_texts:
        assert text in cells and text[1:] not in cells


# -- HSTS with an https public address ---------------------------------------------------------


async def test_an_https_public_url_adds_strict_transport_security(services: Services) -> None:
    """With WTFC_PUBLIC_URL on https, every answer pins https; on http, none does."""
    async with _client(services, WTFC_PUBLIC_URL="https://collect.example.org") as https:
        secure = await https.get("/chat")
    async with _client(services) as plain:
        local = await plain.get("/chat")
    assert secure.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in local.headers


# -- X-Forwarded-For only from the proxies named in WTFC_TRUSTED_PROXIES -----------------------


async def _address_recorded(services: Services, **settings: Any) -> str:
    await make_user(services, "lead@example.org", "lead")
    async with _client(services, "127.0.0.1", **settings) as http:
        page = await http.get("/admin/login")
        await http.post(
            "/admin/login",
            data={
                "email": "lead@example.org",
                "password": "wrong",
                "csrf_token": csrf_of(page.text),
            },
            headers={"X-Forwarded-For": "203.0.113.50"},
        )
    async with services.sessions() as session:
        return (await session.execute(select(LoginAttempt.address))).scalar_one()


async def test_x_forwarded_for_is_not_believed_by_default(services: Services) -> None:
    """Even from loopback, a forwarded address is ignored unless the proxy is named."""
    assert await _address_recorded(services) == "127.0.0.1"


async def test_x_forwarded_for_is_believed_from_a_trusted_proxy(services: Services) -> None:
    """With WTFC_TRUSTED_PROXIES=127.0.0.1 (nginx on the same machine) it is."""
    assert await _address_recorded(services, WTFC_TRUSTED_PROXIES="127.0.0.1") == "203.0.113.50"


def test_wtfc_serve_does_not_let_uvicorn_trust_forwarded_headers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """uvicorn trusts 127.0.0.1's X-Forwarded-For by default; `wtfc serve` turns that off."""
    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options))
    monkeypatch.setenv("WTFC_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'wtfc.db'}")
    monkeypatch.setenv("WTFC_SECRET_KEY", TEST_SECRET)
    args = argparse.Namespace(host="127.0.0.1", port=free_port(), demo=False, workers=1)
    assert serve(args) == 0
    assert started["proxy_headers"] is False
