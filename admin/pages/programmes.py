"""Programme pages: the list (home), and preparing a programme (WTfC step 1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from admin.api.schemas import ProgrammeCreate, ProgrammeUpdate
from admin.pages.programme_form import (
    MAX_CONTACT_ROWS,
    MAX_SEGMENT_ROWS,
    form_values,
    friendly_errors,
)
from admin.services import access, audit, programme_store
from admin.services.guidance import ABOVE_100, LEVEL_GUIDANCE
from admin.services.users import leads
from admin.web.deps import ClockDep, CsrfForm, SessionDep, Viewer, undo
from admin.web.i18n import N_
from admin.web.rendering import render
from bot.messages import LANGUAGE_NAMES
from bot.safeguarding import CATEGORY_NAMES
from collection.models import Programme
from collection.programmes import ProgrammeError, list_with_counts

router = APIRouter(prefix="/admin", include_in_schema=False)

STATUS_HELP = {
    "draft": N_("Draft: being prepared; nobody can join yet."),
    "collecting": N_("Collecting: people can take part now."),
    "closed": N_("Closed: no new answers; the results are kept for the workshop."),
}
FUTURE_COLOURS = {
    "#1f5fa8": N_("Blue"),
    "#6a3d9a": N_("Purple"),
    "#f1c232": N_("Yellow"),
    "#ff7f00": N_("Orange"),
}


@router.get("", response_class=HTMLResponse)
async def home(request: Request, session: SessionDep, viewer: Viewer) -> HTMLResponse:
    visible = {p.code for p in await access.visible_programmes(session=session, user=viewer.user)}
    rows = [row for row in await list_with_counts(session=session) if row.code in visible]
    rows.reverse()
    return render(
        request,
        "home.html",
        {"rows": rows, "can_create": access.can_create_programme(viewer.user)},
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


def _form_context(
    values: dict[str, Any],
    *,
    creating: bool,
    errors: list[str],
    lead_users: list[Any],
    chosen_leads: set[int],
) -> dict[str, Any]:
    segments = list(values.get("segments") or [])
    rows = max(len(segments) + 2, 3)
    segments += [{"name": "", "target": None}] * (min(rows, MAX_SEGMENT_ROWS) - len(segments))
    contacts = list(values.get("safeguarding_contacts") or [])
    blank = {"name": "", "email": None, "phone": None}
    contacts += [blank] * (min(max(len(contacts) + 1, 2), MAX_CONTACT_ROWS) - len(contacts))
    return {
        "values": values,
        "segments": segments,
        "contacts": contacts,
        "safeguarding_categories": CATEGORY_NAMES,
        "creating": creating,
        "errors": errors,
        "guidance": LEVEL_GUIDANCE,
        "above_100": ABOVE_100,
        "languages": LANGUAGE_NAMES,
        "statuses": STATUS_HELP,
        "colours": FUTURE_COLOURS,
        "lead_users": lead_users,
        "chosen_leads": chosen_leads,
    }


def _values_of(programme: Programme) -> dict[str, Any]:
    read = programme_store.read(programme)
    values = read.model_dump(mode="json")
    values["segments"] = [s.model_dump() for s in read.segments]
    return values


@router.get("/programmes/new", response_class=HTMLResponse)
async def new_programme(request: Request, session: SessionDep, viewer: Viewer) -> HTMLResponse:
    access.require_manage(viewer.user)
    defaults = ProgrammeCreate(name="x", code="XX").model_dump(mode="json")
    defaults.update(name="", code="")
    return render(
        request,
        "programme_form.html",
        _form_context(defaults, creating=True, errors=[], lead_users=[], chosen_leads=set()),
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.post("/programmes/new", response_model=None)
async def create_programme(
    request: Request, session: SessionDep, viewer: Viewer, form: CsrfForm
) -> Response:
    access.require_manage(viewer.user)
    values = form_values(form, with_code=True)
    try:
        data = ProgrammeCreate.model_validate(values)
        programme = await programme_store.create(session=session, data=data)
    except (ValidationError, ProgrammeError) as error:
        await undo(session, viewer.user)
        errors = friendly_errors(error) if isinstance(error, ValidationError) else [str(error)]
        return render(
            request,
            "programme_form.html",
            _form_context(values, creating=True, errors=errors, lead_users=[], chosen_leads=set()),
            user=viewer.user,
            csrf_token=viewer.csrf_token,
            status_code=400,
        )
    if viewer.user.role == "lead":
        await access.link_lead(session=session, programme=programme, user=viewer.user)
    audit.record(
        session=session, actor=viewer.user.email, action="programme.create", target=programme.code
    )
    await session.commit()
    return RedirectResponse(f"/admin/programmes/{programme.code}?done=created", status_code=303)


@router.get("/programmes/{code}/edit", response_class=HTMLResponse)
async def edit_programme(
    request: Request, code: str, session: SessionDep, viewer: Viewer
) -> HTMLResponse:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    access.require_manage(viewer.user)
    lead_users = await leads(session=session) if access.is_admin(viewer.user) else []
    chosen = await access.lead_ids(session=session, programme=programme)
    return render(
        request,
        "programme_form.html",
        {
            **_form_context(
                _values_of(programme),
                creating=False,
                errors=[],
                lead_users=lead_users,
                chosen_leads=chosen,
            ),
            "programme": programme,
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.post("/programmes/{code}/edit", response_model=None)
async def save_programme(
    request: Request,
    code: str,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
) -> Response:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    access.require_manage(viewer.user)
    values = form_values(form, with_code=False)
    lead_users = await leads(session=session) if access.is_admin(viewer.user) else []
    chosen = {
        int(v) for v in form.getlist("leads") if isinstance(v, str) and v.isascii() and v.isdigit()
    }
    try:
        data = ProgrammeUpdate.model_validate(values)
        ProgrammeCreate.model_validate({**values, "code": programme.code})
        changed = programme_store.update(programme=programme, data=data, now=clock())
    except (ValidationError, ProgrammeError) as error:
        await undo(session, viewer.user, programme)
        errors = friendly_errors(error) if isinstance(error, ValidationError) else [str(error)]
        return render(
            request,
            "programme_form.html",
            {
                **_form_context(
                    values,
                    creating=False,
                    errors=errors,
                    lead_users=lead_users,
                    chosen_leads=chosen,
                ),
                "programme": programme,
            },
            user=viewer.user,
            csrf_token=viewer.csrf_token,
            status_code=400,
        )
    if access.is_admin(viewer.user):
        allowed = {u.id for u in lead_users}
        if chosen & allowed != await access.lead_ids(session=session, programme=programme):
            await access.set_leads(session=session, programme=programme, user_ids=chosen & allowed)
            changed.append("leads")
    if changed:
        audit.record(
            session=session,
            actor=viewer.user.email,
            action="programme.edit",
            target=programme.code,
            detail={"fields": changed},
        )
    await session.commit()
    return RedirectResponse(f"/admin/programmes/{programme.code}/edit?done=saved", status_code=303)
