"""Server-side sign-in sessions: the cookie holds a random token, the table its hash.

A session ends after a period without requests (settings.admin_idle_minutes)
and in any case after `MAX_AGE`, and at once on sign-out or when the account is
turned off. Nothing about the user lives in the cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from collection.models import User, UserSession

COOKIE = "wtfc_admin"
MAX_AGE = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=30)
"""Write last_seen_at at most this often: a busy page must not write on every poll."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Started:
    token: str
    row: UserSession


async def start(*, session: AsyncSession, user: User, now: datetime) -> Started:
    """A new session for a user who has just proved who they are."""
    token = secrets.token_urlsafe(32)
    row = UserSession(
        id=token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
    )
    session.add(row)
    await session.flush()
    return Started(token, row)


@dataclass(frozen=True)
class Found:
    user: User
    row: UserSession


async def find(
    *, session: AsyncSession, token: str, now: datetime, idle: timedelta
) -> Found | None:
    """The live session for a cookie token; an expired one is deleted and None returned."""
    result = await session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id == token_hash(token))
    )
    found = result.first()
    if found is None:
        return None
    row, user = found
    if now - row.last_seen_at > idle or now - row.created_at > MAX_AGE or not user.active:
        await session.delete(row)
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    return Found(user, row)


async def end(*, session: AsyncSession, token: str) -> None:
    await session.execute(delete(UserSession).where(UserSession.id == token_hash(token)))


async def end_all_for(*, session: AsyncSession, user_id: int) -> None:
    """Sign a user out everywhere (role change, password change, account turned off)."""
    await session.execute(delete(UserSession).where(UserSession.user_id == user_id))


async def purge_expired(*, session: AsyncSession, now: datetime, idle: timedelta) -> None:
    await session.execute(
        delete(UserSession).where(
            (UserSession.last_seen_at < now - idle) | (UserSession.created_at < now - MAX_AGE)
        )
    )
