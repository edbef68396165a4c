"""The audit log: who signed in, exported, edited or erased what, and when.

Entries name things by id or reference and never copy a person's words, so an
erasure really removes what someone said.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collection.models import AuditEntry, utcnow


def record(
    *,
    session: AsyncSession,
    actor: str,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add an entry to the current transaction (it is kept only if the change is)."""
    entry = AuditEntry(actor=actor, action=action, target=target, detail=detail or {})
    entry.at = at or utcnow()
    session.add(entry)
    return entry


async def latest(
    *, session: AsyncSession, limit: int = 200, action: str | None = None
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    return list((await session.execute(query)).scalars())
