"""Who may see and do what. One place, so pages and the API agree.

- admin: every programme, everything.
- lead: only the programmes they are linked to: settings, quality, exports, erasure.
- staff: every programme's progress, invites, assisted entry, kiosk and poster;
  they never edit statements, export or erase.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.web.errors import ForbiddenError, NotFoundError
from admin.web.i18n import N_
from bot.lobby import CODE_PATTERN
from collection.models import Programme, ProgrammeLead, User
from collection.programmes import normalise_code


def is_admin(user: User) -> bool:
    return user.role == "admin"


def can_manage(user: User) -> bool:
    """Edit settings, review quality, export and erase (for programmes the user can see)."""
    return user.role in ("admin", "lead")


def can_create_programme(user: User) -> bool:
    return user.role in ("admin", "lead")


def require_manage(user: User) -> None:
    if not can_manage(user):
        raise ForbiddenError(N_("Only a project lead or an administrator can do this."))


def require_admin(user: User) -> None:
    if not is_admin(user):
        raise ForbiddenError(N_("Only an administrator can do this."))


async def visible_programmes(*, session: AsyncSession, user: User) -> list[Programme]:
    query = select(Programme).order_by(Programme.created_at.desc(), Programme.id.desc())
    if user.role == "lead":
        query = query.join(ProgrammeLead, ProgrammeLead.programme_id == Programme.id).where(
            ProgrammeLead.user_id == user.id
        )
    return list((await session.execute(query)).scalars())


async def can_see(*, session: AsyncSession, user: User, programme: Programme) -> bool:
    if user.role != "lead":
        return True
    link = await session.get(ProgrammeLead, (programme.id, user.id))
    return link is not None


async def programme_for(*, session: AsyncSession, user: User, code: str) -> Programme:
    """The programme with this code if this user may see it; NotFound otherwise.

    A code no programme could have (too long, NUL, emoji) is not found without asking
    the database, which might refuse such text (PostgreSQL and NUL) with an error.
    """
    wanted = normalise_code(code)
    if not CODE_PATTERN.match(wanted):
        raise NotFoundError("There is no programme with that code that you can see.")
    result = await session.execute(select(Programme).where(Programme.code == wanted))
    programme = result.scalar_one_or_none()
    if programme is None or not await can_see(session=session, user=user, programme=programme):
        raise NotFoundError(N_("There is no programme with that code that you can see."))
    return programme


async def lead_ids(*, session: AsyncSession, programme: Programme) -> set[int]:
    result = await session.execute(
        select(ProgrammeLead.user_id).where(ProgrammeLead.programme_id == programme.id)
    )
    return set(result.scalars())


async def set_leads(*, session: AsyncSession, programme: Programme, user_ids: set[int]) -> None:
    await session.execute(delete(ProgrammeLead).where(ProgrammeLead.programme_id == programme.id))
    for user_id in sorted(user_ids):
        session.add(ProgrammeLead(programme_id=programme.id, user_id=user_id))
    await session.flush()


async def link_lead(*, session: AsyncSession, programme: Programme, user: User) -> None:
    if await session.get(ProgrammeLead, (programme.id, user.id)) is None:
        session.add(ProgrammeLead(programme_id=programme.id, user_id=user.id))
        await session.flush()
