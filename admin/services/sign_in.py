"""Signing in: password check, rate limits, audit.

Limits count failed attempts in sliding windows, kept in the database so they hold
across processes:

- per account *and* address (5 in 15 minutes): stops one machine guessing one
  password, without locking the account's owner out from their own machine;
- per address (20 in 15 minutes): stops one machine trying many accounts;
- per account from every address together, slower (50 in an hour): stops guessing
  spread over many machines, while five failures somewhere else leave the owner in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.services import audit, sessions
from admin.services.passwords import hash_password, needs_rehash, verify_password
from admin.services.users import get_by_email, normalise_email
from collection.models import LoginAttempt, User

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
MAX_FAILURES_PER_ADDRESS = 20
ACCOUNT_WINDOW = timedelta(hours=1)
MAX_FAILURES_PER_ACCOUNT = 50
"""From every address together, in ACCOUNT_WINDOW."""


class LoginError(Exception):
    """Wrong e-mail or password (we never say which)."""


class RateLimitedError(Exception):
    """Too many failed attempts lately for this account or from this address."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("too many attempts")
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str
    csrf_token: str


async def _failures(session: AsyncSession, since: datetime, *conditions: Any) -> int:
    result = await session.execute(
        select(func.count()).where(
            *conditions,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at >= since,
        )
    )
    return int(result.scalar_one())


async def check_rate(*, session: AsyncSession, email: str, address: str, now: datetime) -> None:
    """Raise RateLimitedError when any of the three limits is reached."""
    recent = now - WINDOW
    if (
        await _failures(
            session, recent, LoginAttempt.email == email, LoginAttempt.address == address
        )
        >= MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS
        or await _failures(session, recent, LoginAttempt.address == address)
        >= MAX_FAILURES_PER_ADDRESS
    ):
        raise RateLimitedError(WINDOW)
    if (
        await _failures(session, now - ACCOUNT_WINDOW, LoginAttempt.email == email)
        >= MAX_FAILURES_PER_ACCOUNT
    ):
        raise RateLimitedError(ACCOUNT_WINDOW)


async def sign_in(
    *,
    session: AsyncSession,
    email: str,
    password: str,
    address: str,
    now: datetime,
    idle: timedelta = timedelta(minutes=30),
) -> SignedIn:
    """Check the password and start a session; every attempt is counted and audited.

    The caller commits even when this raises LoginError, so failures are remembered.
    """
    email = normalise_email(email)[:254]
    address = address[:64]
    await check_rate(session=session, email=email, address=address, now=now)
    user = await get_by_email(session=session, email=email)
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.active
    session.add(LoginAttempt(email=email, address=address, succeeded=ok, at=now))
    if not ok or user is None:
        audit.record(
            session=session, actor=email, action="login.failed", detail={"address": address}, at=now
        )
        raise LoginError("wrong e-mail or password")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    started = await sessions.start(session=session, user=user, now=now)
    audit.record(session=session, actor=email, action="login", detail={"address": address}, at=now)
    await session.execute(
        delete(LoginAttempt).where(LoginAttempt.at < now - max(WINDOW, ACCOUNT_WINDOW) * 2)
    )
    await sessions.purge_expired(session=session, now=now, idle=idle)
    return SignedIn(user, started.token, started.row.csrf_token)
