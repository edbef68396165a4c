"""Admin logins: create, find, change role, turn off, change password."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.services import sessions, tokens
from admin.services.passwords import check_policy, hash_password
from admin.web.i18n import N_
from collection.models import User

ROLES = ("admin", "lead", "staff")
ROLE_NAMES = {
    "admin": N_("Administrator"),
    "lead": N_("Project lead"),
    "staff": N_("Staff"),
}
ROLE_HELP = {
    "admin": N_("everything, including logins and the audit log"),
    "lead": N_("their own programmes: settings, quality review, exports, erasure"),
    "staff": N_("progress, invites, typing in answers, kiosk and poster"),
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserError(Exception):
    """A login could not be created or changed as asked."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_user(
    *, session: AsyncSession, email: str, password: str, role: str, locale: str = "en_GB"
) -> User:
    """A new login. The password is checked against the policy and hashed (Argon2id)."""
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise UserError(N_("Please give an e-mail address, like name@example.org."))
    if role not in ROLES:
        raise UserError(f"The role must be one of: {', '.join(ROLES)}.")
    check_policy(password)
    if await get_by_email(session=session, email=email) is not None:
        raise UserError(f"There is already a login for {email}.")
    user = User(email=email, password_hash=hash_password(password), role=role, locale=locale)
    session.add(user)
    await session.flush()
    return user


async def get_by_email(*, session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == normalise_email(email)))
    return result.scalar_one_or_none()


async def list_users(*, session: AsyncSession) -> list[User]:
    return list((await session.execute(select(User).order_by(User.email))).scalars())


async def leads(*, session: AsyncSession) -> list[User]:
    result = await session.execute(
        select(User).where(User.role == "lead", User.active.is_(True)).order_by(User.email)
    )
    return list(result.scalars())


async def count_admins(*, session: AsyncSession) -> int:
    result = await session.execute(
        select(func.count()).where(User.role == "admin", User.active.is_(True))
    )
    return int(result.scalar_one())


async def set_role(*, session: AsyncSession, user: User, role: str, active: bool) -> None:
    """Change what a login may do; it is signed out everywhere so the change holds at once."""
    if role not in ROLES:
        raise UserError(f"The role must be one of: {', '.join(ROLES)}.")
    losing_admin = user.role == "admin" and (role != "admin" or not active)
    if losing_admin and user.active and await count_admins(session=session) <= 1:
        raise UserError(N_("This is the last administrator: make another one first."))
    user.role, user.active = role, active
    await sessions.end_all_for(session=session, user_id=user.id)


async def set_password(
    *, session: AsyncSession, user: User, password: str, now: datetime | None = None
) -> None:
    """A new password (the owner's own change or an admin's reset) ends everything the old
    one opened: every session, and every API token, so a leaked one stops working too."""
    check_policy(password)
    user.password_hash = hash_password(password)
    await sessions.end_all_for(session=session, user_id=user.id)
    await tokens.revoke_all_for(session=session, user=user, now=now or datetime.now(UTC))
