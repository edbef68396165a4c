"""Creating and changing programmes from validated schemas (web form and API alike)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from admin.api.schemas import ProgrammeCreate, ProgrammeRead, ProgrammeUpdate
from admin.web.i18n import N_
from collection.models import Programme
from collection.programmes import ProgrammeError, create_programme


def _segments(value: list[Any]) -> list[dict[str, Any]]:
    return [{"name": s.name.strip(), "target": s.target} for s in value]


def _contacts(value: list[Any]) -> list[dict[str, Any]]:
    return [
        {"name": c.name.strip(), "email": c.email or None, "phone": (c.phone or "").strip() or None}
        for c in value
    ]


def _phrases(value: list[Any]) -> list[dict[str, Any]]:
    return [{"category": p.category, "phrase": p.phrase} for p in value]


async def create(*, session: AsyncSession, data: ProgrammeCreate) -> Programme:
    """A new programme; drafts can be prepared before anyone can join."""
    fields = data.model_dump(
        exclude={"name", "code", "purpose", "level", "target", "languages", "segments", "status"}
    )
    fields["sms_number"] = (data.sms_number or "").strip() or None
    fields["safeguarding_contacts"] = _contacts(data.safeguarding_contacts)
    fields["safeguarding_phrases"] = _phrases(data.safeguarding_phrases)
    fields["safeguarding_help"] = data.safeguarding_help.strip()
    return await create_programme(
        session=session,
        name=data.name,
        code=data.code,
        purpose=data.purpose,
        level=data.level,
        target=data.target,
        languages=data.languages,
        segments=_segments(data.segments),
        status=data.status,
        **fields,
    )


def update(*, programme: Programme, data: ProgrammeUpdate, now: datetime) -> list[str]:
    """Apply the fields that were sent; returns the names of those that changed."""
    changes = data.model_dump(exclude_unset=True)
    if "segments" in changes and data.segments is not None:
        changes["segments"] = _segments(data.segments)
    if "safeguarding_contacts" in changes and data.safeguarding_contacts is not None:
        changes["safeguarding_contacts"] = _contacts(data.safeguarding_contacts)
    if "safeguarding_phrases" in changes and data.safeguarding_phrases is not None:
        changes["safeguarding_phrases"] = _phrases(data.safeguarding_phrases)
    if changes.get("safeguarding_help") is not None:
        changes["safeguarding_help"] = changes["safeguarding_help"].strip()
    if "sms_number" in changes:
        changes["sms_number"] = (changes["sms_number"] or "").strip() or None
    if "name" in changes and changes["name"] is not None:
        changes["name"] = changes["name"].strip()
    starts = changes.get("starts_on", programme.starts_on)
    ends = changes.get("ends_on", programme.ends_on)
    if starts and ends and ends < starts:
        raise ProgrammeError(N_("The collection window ends before it starts."))
    changed = []
    for name, value in changes.items():
        if value is None and name not in ("target", "starts_on", "ends_on", "sms_number"):
            continue
        if getattr(programme, name) != value:
            setattr(programme, name, value)
            changed.append(name)
    if "status" in changed:
        programme.closed_at = now if programme.status == "closed" else None
    return changed


def read(programme: Programme) -> ProgrammeRead:
    return ProgrammeRead.model_validate(programme)
