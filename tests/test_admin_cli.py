"""`wtfc user create` and the demo login."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from collection.models import User
from collection.runtime import Services
from wtfc import cli
from wtfc.demo import DEMO_LOGIN, ensure_demo_login


def test_user_create_from_stdin(
    services: Services, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`wtfc user create EMAIL --role admin --password-stdin` makes a login."""
    monkeypatch.setenv("WTFC_DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("WTFC_SECRET_KEY", services.settings.secret_key)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    code = cli.main(["user", "create", "First@Example.org", "--role", "admin", "--password-stdin"])
    assert code == 0
    assert "first@example.org" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["user", "create", "b@example.org", "--role", "staff", "--password-stdin"]) == 2


def test_user_create_prompts_twice(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --password-stdin the password is asked twice with getpass."""
    monkeypatch.setenv("WTFC_DATABASE_URL", services.settings.database_url)
    answers = iter(["one long password", "another password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli.main(["user", "create", "c@example.org", "--role", "lead"]) == 2


async def test_demo_login_gets_a_fresh_password(services: Services) -> None:
    """The demo login is an admin; each start prints a new working password."""
    first = await ensure_demo_login(services)
    second = await ensure_demo_login(services)
    assert first != second
    async with services.sessions() as session:
        user = (await session.execute(select(User))).scalar_one()
    assert (user.email, user.role) == (DEMO_LOGIN, "admin")
