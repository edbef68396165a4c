"""Programmes: create, find by code, list with counts, and the engine's view of one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.lobby import CODE_PATTERN as CODE_PATTERN  # re-exported: admin checks codes
from bot.lobby import code_refusal
from bot.lobby import normalise_code as normalise_code  # re-exported: admin finds by code
from bot.model import Context
from collection.channel_facts import facts_for
from collection.models import Programme, Response, Statement
from collection.safeguarding.rules import rules_for

LEVELS = ("unit", "provider", "service", "population")
STATUSES = ("draft", "collecting", "closed")


class ProgrammeError(Exception):
    """A programme could not be created or changed as asked."""


@dataclass(frozen=True)
class ProgrammeCounts:
    code: str
    name: str
    status: str
    target: int | None
    started: int
    completed: int
    statements: int


async def create_programme(
    *,
    session: AsyncSession,
    name: str,
    code: str,
    purpose: str = "",
    level: str = "service",
    target: int | None = None,
    languages: list[str] | None = None,
    segments: list[dict[str, Any]] | None = None,
    status: str = "collecting",
    **extra: Any,
) -> Programme:
    """Create a programme; it collects at once unless another status is given."""
    code = normalise_code(code)
    refusal = code_refusal(code)
    if refusal is not None:
        raise ProgrammeError(refusal)
    if level not in LEVELS:
        raise ProgrammeError(f"The level must be one of: {', '.join(LEVELS)}.")
    if status not in STATUSES:
        raise ProgrammeError(f"The status must be one of: {', '.join(STATUSES)}.")
    if await get_by_code(session=session, code=code) is not None:
        raise ProgrammeError(f"A programme with the code {code} already exists.")
    programme = Programme(
        name=name.strip(),
        code=code,
        purpose=purpose.strip(),
        level=level,
        target=target,
        languages=languages or ["en"],
        segments=segments or [],
        status=status,
        export_seed=secrets.randbelow(2**31),
        **extra,
    )
    session.add(programme)
    await session.flush()
    return programme


async def get_by_code(*, session: AsyncSession, code: str) -> Programme | None:
    """The programme with this code, or None.

    A code no programme could have (too long, a NUL, emoji) is None without asking the
    database, which might refuse such text with an error (PostgreSQL and NUL).
    """
    wanted = normalise_code(code)
    if not CODE_PATTERN.match(wanted):
        return None
    result = await session.execute(select(Programme).where(Programme.code == wanted))
    return result.scalar_one_or_none()


async def collecting_programmes(*, session: AsyncSession) -> list[Programme]:
    result = await session.execute(select(Programme).where(Programme.status == "collecting"))
    return list(result.scalars())


async def list_with_counts(*, session: AsyncSession) -> list[ProgrammeCounts]:
    started = (
        select(Response.programme_id, func.count().label("n"))
        .where(Response.consented_at.is_not(None))
        .group_by(Response.programme_id)
        .subquery()
    )
    completed = (
        select(Response.programme_id, func.count().label("n"))
        .where(Response.status == "complete")
        .group_by(Response.programme_id)
        .subquery()
    )
    statements = (
        select(Statement.programme_id, func.count().label("n"))
        .where(Statement.split.is_(False))  # a split statement counts as its parts
        .group_by(Statement.programme_id)
        .subquery()
    )
    query = (
        select(
            Programme,
            func.coalesce(started.c.n, 0),
            func.coalesce(completed.c.n, 0),
            func.coalesce(statements.c.n, 0),
        )
        .outerjoin(started, started.c.programme_id == Programme.id)
        .outerjoin(completed, completed.c.programme_id == Programme.id)
        .outerjoin(statements, statements.c.programme_id == Programme.id)
        .order_by(Programme.created_at)
    )
    rows = await session.execute(query)
    return [
        ProgrammeCounts(p.code, p.name, p.status, p.target, int(s), int(c), int(n))
        for p, s, c, n in rows.all()
    ]


def is_collecting(programme: Programme, now: datetime | None = None) -> bool:
    """Collecting means the status says so and today is inside the window, if one is set."""
    if programme.status != "collecting":
        return False
    today = (now or datetime.now(UTC)).date()
    if programme.starts_on and today < programme.starts_on:
        return False
    return not (programme.ends_on and today > programme.ends_on)


def engine_context(
    programme: Programme, *, channel: str, opted_out: bool, now: datetime | None = None
) -> Context:
    """What the pure engine may know of a programme, for one channel and person."""
    return Context(
        code=programme.code,
        name=programme.name,
        purpose=programme.purpose,
        segments=tuple(str(s["name"]) for s in programme.segments),
        languages=tuple(programme.languages) or ("en",),
        max_statements=programme.max_statements,
        collecting=is_collecting(programme, now),
        can_follow_up=facts_for(channel).reachable,
        opted_out=opted_out,
        consent_version=programme.consent_version,
        safeguarding=rules_for(programme.safeguarding_phrases),
        safeguarding_help=programme.safeguarding_help or "",
    )
