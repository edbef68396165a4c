"""The JSON API under /api/v1, described at /openapi.json.

Authenticated with per-user API tokens (`Authorization: Bearer wtfc_...`), made
on the "My account" page. A token can do what its owner can do: a lead's token
sees only that lead's programmes; staff tokens cannot read statements.

Exports: `/api/v1/programmes/{code}/exports/{fmt}` lives in its own module
(admin/api/exports.py), whose router is included in `router` below.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from pydantic import AwareDatetime

from admin.api import exports as api_exports
from admin.api import feedback as api_feedback
from admin.api import workshop as api_workshop
from admin.api.schemas import (
    CountRead,
    ProgrammeCreate,
    ProgrammeRead,
    ProgrammeUpdate,
    ProgressRead,
    StatementFlag,
    StatementRead,
)
from admin.services import access, audit, programme_store, quality
from admin.services.progress import progress_of
from admin.web.deps import ApiUser, ClockDep, SessionDep
from admin.web.errors import ForbiddenError, NotFoundError, unprocessable
from collection.models import Programme, User
from collection.programmes import ProgrammeError, list_with_counts
from collection.safeguarding.cases import held_back_ids

router = APIRouter(prefix="/api/v1", tags=["api"])
programmes = APIRouter(prefix="/programmes", tags=["programmes"])

ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "No API token, or one that does not work"},
    403: {"description": "The token's owner may not do this"},
    404: {"description": "No such programme visible to the token's owner"},
}


async def _programme(session: SessionDep, user: User, code: str) -> Programme:
    try:
        return await access.programme_for(session=session, user=user, code=code)
    except NotFoundError as error:
        raise HTTPException(404, error.message) from error


def _manage(user: User) -> None:
    try:
        access.require_manage(user)
    except ForbiddenError as error:
        raise HTTPException(403, error.message) from error


@programmes.get("", response_model=list[ProgrammeRead], responses=ERRORS)
async def list_programmes(session: SessionDep, user: ApiUser) -> list[ProgrammeRead]:
    """The programmes the token's owner can see, newest first."""
    visible = await access.visible_programmes(session=session, user=user)
    return [programme_store.read(p) for p in visible]


@programmes.post("", response_model=ProgrammeRead, status_code=201, responses=ERRORS)
async def create_programme(
    data: ProgrammeCreate, session: SessionDep, user: ApiUser, clock: ClockDep
) -> ProgrammeRead:
    """Prepare a programme (leads and admins). A lead is linked to what they create."""
    _manage(user)
    try:
        programme = await programme_store.create(session=session, data=data)
    except ProgrammeError as error:
        raise unprocessable(str(error)) from error
    if user.role == "lead":
        await access.link_lead(session=session, programme=programme, user=user)
    audit.record(
        session=session,
        actor=user.email,
        action="programme.create",
        target=programme.code,
        detail={"via": "api"},
        at=clock(),
    )
    await session.commit()
    return programme_store.read(programme)


@programmes.get("/{code}", response_model=ProgrammeRead, responses=ERRORS)
async def get_programme(code: str, session: SessionDep, user: ApiUser) -> ProgrammeRead:
    return programme_store.read(await _programme(session, user, code))


@programmes.patch("/{code}", response_model=ProgrammeRead, responses=ERRORS)
async def update_programme(
    code: str, data: ProgrammeUpdate, session: SessionDep, user: ApiUser, clock: ClockDep
) -> ProgrammeRead:
    """Change some settings; only the fields sent change (leads and admins)."""
    programme = await _programme(session, user, code)
    _manage(user)
    try:
        changed = programme_store.update(programme=programme, data=data, now=clock())
    except ProgrammeError as error:
        raise unprocessable(str(error)) from error
    if changed:
        audit.record(
            session=session,
            actor=user.email,
            action="programme.edit",
            target=programme.code,
            detail={"fields": changed, "via": "api"},
            at=clock(),
        )
    await session.commit()
    return programme_store.read(programme)


@programmes.get("/{code}/progress", response_model=ProgressRead, responses=ERRORS)
async def get_progress(
    code: str, session: SessionDep, user: ApiUser, clock: ClockDep
) -> ProgressRead:
    """Started and completed against the target, by segment, channel and perspective."""
    programme = await _programme(session, user, code)
    progress = await progress_of(session=session, programme=programme, now=clock())
    return progress.to_read()


@programmes.get("/{code}/statements", response_model=list[StatementRead], responses=ERRORS)
async def list_statements(
    code: str,
    session: SessionDep,
    user: ApiUser,
    picks_only: bool = Query(False, description="Only the top-two picks"),
    since: AwareDatetime | None = Query(
        None,
        description="Only statements stored after this time (with a time zone, e.g. "
        "2026-03-01T09:00:00Z)",
    ),
) -> list[StatementRead]:
    """Every statement with its flags and review state (leads and admins).

    Never includes contact details; the response reference is the only link to a person.
    """
    programme = await _programme(session, user, code)
    _manage(user)
    result = await quality.review(session=session, programme=programme)
    held = await held_back_ids(session=session, programme_id=programme.id)
    rows = []
    for item in result.items:
        s, r = item.statement, item.response
        if picks_only and item.pick_rank is None:
            continue
        if since is not None and s.created_at <= since:
            continue
        rows.append(
            StatementRead(
                id=s.id,
                response_reference=r.reference,
                category=s.category,
                text=s.text,
                card_text=s.card_text,
                language=s.language,
                translation=s.translation,
                pick_rank=item.pick_rank,
                flags=[StatementFlag(kind) for kind in item.kinds],
                held_back=s.id in held,
                excluded=s.excluded,
                exclude_reason=s.exclude_reason,
                reviewed=s.reviewed,
                channel=r.channel,
                perspective=r.perspective,
                segment=r.segment,
                created_at=s.created_at,
            )
        )
    return rows


@router.get("/summary", response_model=dict[str, CountRead], responses=ERRORS, tags=["programmes"])
async def summary(session: SessionDep, user: ApiUser) -> dict[str, CountRead]:
    """Started and completed per visible programme code, in one small call."""
    visible = {p.code for p in await access.visible_programmes(session=session, user=user)}
    return {
        row.code: CountRead(started=row.started, completed=row.completed, target=row.target)
        for row in await list_with_counts(session=session)
        if row.code in visible
    }


router.include_router(programmes)
router.include_router(api_exports.router)
router.include_router(api_workshop.router)
router.include_router(api_feedback.router)
