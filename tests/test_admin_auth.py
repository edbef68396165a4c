"""Signing in and out: passwords, sessions, cookies, CSRF, rate limits, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from collection.models import AuditEntry, User, UserSession
from collection.runtime import Services
from tests.support.admin import PASSWORD, client, csrf_of, login, make_user, signed_in


async def test_pages_need_a_login(services: Services) -> None:
    """An admin page without a session redirects to the sign-in page, keeping the path."""
    async with client(services) as http:
        answer = await http.get("/admin/users")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/login?next=/admin/users"


async def test_password_is_stored_as_argon2id(services: Services) -> None:
    """The users table holds an Argon2id hash, never the password."""
    await make_user(services, "lead@example.org", "lead")
    async with services.sessions() as session:
        user = (await session.execute(select(User))).scalar_one()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


async def test_login_sets_a_safe_cookie_and_audits(services: Services) -> None:
    """A good password starts a session in an HttpOnly, SameSite=Lax cookie; it is audited."""
    await make_user(services, "lead@example.org", "lead")
    async with client(services) as http:
        answer = await login(http, "Lead@Example.org")
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"]
        assert "wtfc_admin=" in cookie and "HttpOnly" in cookie
        assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
        assert "Secure" not in cookie
        assert (await http.get("/admin")).status_code == 200
    async with services.sessions() as session:
        actions = [e.action for e in (await session.execute(select(AuditEntry))).scalars()]
        stored = (await session.execute(select(UserSession))).scalar_one()
    assert actions == ["login"]
    assert stored.id != http.cookies.get("wtfc_admin")  # only the hash is stored


async def test_cookie_is_secure_when_the_public_url_is_https(services: Services) -> None:
    """Behind https (WTFC_PUBLIC_URL), the session cookie is marked Secure."""
    await make_user(services, "lead@example.org", "lead")
    services.settings.public_url = "https://wtfc.example.org"
    async with client(services, base_url="https://testserver") as http:
        page = await http.get("/admin/login")
        assert "Secure" in page.headers["set-cookie"]
        answer = await login(http, "lead@example.org")
    assert "Secure" in answer.headers["set-cookie"]


async def test_wrong_password_is_refused_and_audited(services: Services) -> None:
    """A wrong password shows the form again and records a failed sign-in."""
    await make_user(services, "lead@example.org", "lead")
    async with client(services) as http:
        answer = await login(http, "lead@example.org", "not the password")
        assert answer.status_code == 400
        assert "do not match" in answer.text
        assert (await http.get("/admin")).status_code == 303
    async with services.sessions() as session:
        actions = [e.action for e in (await session.execute(select(AuditEntry))).scalars()]
    assert actions == ["login.failed"]


async def test_login_without_csrf_token_is_rejected(services: Services) -> None:
    """The sign-in form needs its CSRF token (double-submit cookie)."""
    await make_user(services, "lead@example.org", "lead")
    async with client(services) as http:
        await http.get("/admin/login")
        answer = await http.post(
            "/admin/login", data={"email": "lead@example.org", "password": PASSWORD}
        )
    assert answer.status_code == 403


async def test_form_without_csrf_token_is_rejected(services: Services) -> None:
    """A signed-in form posted without the session's token changes nothing."""
    async with signed_in(services, "admin@example.org", "admin") as http:
        answer = await http.post(
            "/admin/users",
            data={"email": "new@example.org", "role": "staff", "password": PASSWORD},
        )
        wrong = await http.post(
            "/admin/users",
            data={
                "email": "new@example.org",
                "role": "staff",
                "password": PASSWORD,
                "csrf_token": "guessed",
            },
        )
    assert answer.status_code == 403 and wrong.status_code == 403
    async with services.sessions() as session:
        emails = [u.email for u in (await session.execute(select(User))).scalars()]
    assert emails == ["admin@example.org"]


async def test_rate_limit_per_account(services: Services) -> None:
    """After five failures on one account, even the right password waits."""
    await make_user(services, "lead@example.org", "lead")
    async with client(services) as http:
        for _ in range(5):
            assert (await login(http, "lead@example.org", "wrong")).status_code == 400
        answer = await login(http, "lead@example.org")
    assert answer.status_code == 429
    assert "Too many attempts" in answer.text


async def test_rate_limit_per_address(services: Services) -> None:
    """One address trying many accounts is stopped after twenty failures."""
    await make_user(services, "lead@example.org", "lead")
    async with client(services) as http:
        for number in range(20):
            await login(http, f"guess{number}@example.org", "wrong")
        answer = await login(http, "lead@example.org")
    assert answer.status_code == 429


async def test_session_expires_after_inactivity(services: Services) -> None:
    """A session left alone longer than the idle limit sends the user to sign in again."""
    async with signed_in(services, "lead@example.org", "lead") as http:
        assert (await http.get("/admin")).status_code == 200
        idle = services.settings.admin_idle_minutes
        async with services.sessions() as session, session.begin():
            await session.execute(
                update(UserSession).values(
                    last_seen_at=datetime.now(UTC) - timedelta(minutes=idle + 1)
                )
            )
        answer = await http.get("/admin")
    assert answer.status_code == 303
    assert "expired=1" in answer.headers["location"]
    async with services.sessions() as session:
        assert (await session.execute(select(UserSession))).first() is None


async def test_activity_keeps_the_session_alive(services: Services) -> None:
    """Using the admin moves the inactivity deadline on."""
    async with signed_in(services, "lead@example.org", "lead") as http:
        idle = services.settings.admin_idle_minutes
        async with services.sessions() as session, session.begin():
            await session.execute(
                update(UserSession).values(
                    last_seen_at=datetime.now(UTC) - timedelta(minutes=idle - 1)
                )
            )
        assert (await http.get("/admin")).status_code == 200
        async with services.sessions() as session:
            row = (await session.execute(select(UserSession))).scalar_one()
        assert datetime.now(UTC) - row.last_seen_at < timedelta(minutes=1)


async def test_logout_ends_the_session(services: Services) -> None:
    """Signing out deletes the server-side session: the old cookie no longer works."""
    async with signed_in(services, "lead@example.org", "lead") as http:
        token = csrf_of((await http.get("/admin")).text)
        cookie = http.cookies.get("wtfc_admin")
        answer = await http.post("/admin/logout", data={"csrf_token": token})
        assert answer.status_code == 303
        http.cookies.set("wtfc_admin", cookie or "")
        assert (await http.get("/admin")).status_code == 303


async def test_turned_off_account_cannot_use_its_session(services: Services) -> None:
    """Turning a login off ends what it was doing at once."""
    async with signed_in(services, "staff@example.org", "staff") as http:
        async with services.sessions() as session, session.begin():
            await session.execute(update(User).values(active=False))
        assert (await http.get("/admin")).status_code == 303


async def test_next_is_kept_inside_the_admin(services: Services) -> None:
    """After signing in, the user goes back where they were, never to another site."""
    await make_user(services, "lead@example.org", "lead")
    async with client(services) as http:
        page = await http.get("/admin/login?next=//evil.example/x")
        answer = await http.post(
            "/admin/login",
            data={
                "email": "lead@example.org",
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
                "next": "https://evil.example/",
            },
        )
    assert answer.headers["location"] == "/admin"
