"""Find a response by its reference; erase a person, after a confirmation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from admin.services import access, audit
from admin.services import responses as participants
from admin.services.progress import CATEGORY_NAMES, CHANNEL_NAMES, PERSPECTIVE_NAMES
from admin.web.deps import ClockDep, CsrfForm, ServicesDep, SessionDep, Viewer
from admin.web.errors import NotFoundError
from admin.web.i18n import N_, Text
from admin.web.rendering import render
from collection import erasure
from collection.models import User

router = APIRouter(prefix="/admin", include_in_schema=False)


async def erasure_scope(session: AsyncSession, user: User) -> set[int] | None:
    """The programme ids this user's erasure reaches: None (every one) for an administrator,
    a lead's own programmes otherwise."""
    if access.is_admin(user):
        return None
    return {p.id for p in await access.visible_programmes(session=session, user=user)}


async def _visible(session: AsyncSession, user: User, reference: str) -> participants.Found:
    normal = participants.normalise_reference(reference)
    within = await erasure_scope(session, user)
    found = (
        await participants.find(session=session, reference=normal, within=within)
        if normal
        else None
    )
    if found is None or not await access.can_see(
        session=session, user=user, programme=found.programme
    ):
        raise NotFoundError(N_("No response has that reference."))
    return found


@router.get("/participants", response_class=HTMLResponse)
async def find_page(
    request: Request, session: SessionDep, viewer: Viewer, reference: str = ""
) -> HTMLResponse:
    found = None
    error: object = None
    if reference.strip():
        normal = participants.normalise_reference(reference)
        if normal is None:
            error = N_("A reference looks like R-7K3PQA: R, a dash, then six letters and numbers.")
        else:
            found = await participants.find(session=session, reference=normal)
            if found is not None and not await access.can_see(
                session=session, user=viewer.user, programme=found.programme
            ):
                found = None
            if found is None:
                error = Text(
                    N_("No response has the reference %(reference)s."), {"reference": normal}
                )
    return render(
        request,
        "participants.html",
        {
            "reference": reference.strip()[:20],
            "found": found,
            "error": error,
            "can_erase": access.can_manage(viewer.user),
            "everywhere": access.is_admin(viewer.user),
            # Staff cannot read statements (as in the API): they see how many, not what.
            "can_read": access.can_manage(viewer.user),
            "categories": CATEGORY_NAMES,
            "channel_names": CHANNEL_NAMES,
            "perspective_names": PERSPECTIVE_NAMES,
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
        status_code=404 if error and found is None and reference.strip() else 200,
    )


@router.get("/participants/{reference}/erase", response_class=HTMLResponse)
async def erase_page(
    request: Request, reference: str, session: SessionDep, viewer: Viewer
) -> HTMLResponse:
    access.require_manage(viewer.user)
    found = await _visible(session, viewer.user, reference)
    return render(
        request,
        "erase.html",
        {"found": found, "error": None, "everywhere": access.is_admin(viewer.user)},
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.post("/participants/{reference}/erase", response_model=None)
async def erase(
    request: Request,
    reference: str,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
    services: ServicesDep,
) -> Response:
    access.require_manage(viewer.user)
    found = await _visible(session, viewer.user, reference)
    typed = form.get("confirm")
    if not isinstance(typed, str) or participants.normalise_reference(typed) != (
        found.response.reference
    ):
        return render(
            request,
            "erase.html",
            {
                "found": found,
                "error": f"To confirm, type the reference {found.response.reference} exactly.",
                "everywhere": access.is_admin(viewer.user),
            },
            user=viewer.user,
            csrf_token=viewer.csrf_token,
            status_code=400,
        )
    programme_code = found.programme.code
    within = await erasure_scope(session, viewer.user)
    erased = await participants.erase(session=session, found=found, within=within)
    audit.record(
        session=session,
        actor=viewer.user.email,
        action="participant.erase",
        target=found.response.reference,
        detail={
            "programme": programme_code,
            "programmes": list(erased.programmes),
            "responses": erased.responses,
            "scope": "everywhere" if within is None else "lead's programmes",
            "contact": "erased" if erased.contact_erased else "kept: answers elsewhere",
        },
        at=clock(),
    )
    await session.commit()
    if erasure.erased_in(session):
        await erasure.scrub(services.engine)
    return RedirectResponse("/admin/participants?done=erased", status_code=303)
