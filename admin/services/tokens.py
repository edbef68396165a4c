"""Per-user API tokens: random, shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collection.models import ApiToken, User

TOKEN_PREFIX = "wtfc_"  # noqa: S105 - a marker, not a secret


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    row: ApiToken
    token: str
    """The only time the whole token exists outside its owner's hands."""


async def create_token(*, session: AsyncSession, user: User, name: str, now: datetime) -> NewToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "API token",
        token_hash=_hash(token),
        prefix=token[:12],
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return NewToken(row, token)


async def tokens_of(*, session: AsyncSession, user: User) -> list[ApiToken]:
    result = await session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    )
    return list(result.scalars())


async def revoke(*, session: AsyncSession, user: User, token_id: int, now: datetime) -> bool:
    row = await session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True


async def revoke_all_for(*, session: AsyncSession, user: User, now: datetime) -> int:
    """Revoke every working token of this user (a new password ends them); returns how many."""
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def user_for(*, session: AsyncSession, token: str, now: datetime) -> User | None:
    """The active user a token belongs to, or None (unknown, revoked, or account off)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    result = await session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _hash(token), ApiToken.revoked_at.is_(None))
    )
    found = result.first()
    if found is None:
        return None
    row, user = found
    if not user.active:
        return None
    row.last_used_at = now
    return user
