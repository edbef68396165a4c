"""Logins (administrators only): create, change role, turn off, set a new password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.services import access, audit
from admin.services.passwords import PasswordPolicyError
from admin.services.users import (
    ROLE_HELP,
    ROLE_NAMES,
    UserError,
    create_user,
    list_users,
    set_password,
    set_role,
)
from admin.web.deps import ClockDep, CsrfForm, RowId, SessionDep, Viewer, undo
from admin.web.errors import NotFoundError
from admin.web.i18n import N_
from admin.web.rendering import render
from collection.models import User

router = APIRouter(prefix="/admin", include_in_schema=False)


def _text(form: object, name: str) -> str:
    value = form.get(name)  # type: ignore[attr-defined]
    return value.strip() if isinstance(value, str) else ""


async def _page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    *,
    error: str | None = None,
    email: str = "",
    role: str = "staff",
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "users.html",
        {
            "users": await list_users(session=session),
            "role_names": ROLE_NAMES,
            "role_help": ROLE_HELP,
            "error": error,
            "email": email,
            "role": role,
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
        status_code=status,
    )


@router.get("/users", response_class=HTMLResponse)
async def users_page(request: Request, session: SessionDep, viewer: Viewer) -> HTMLResponse:
    access.require_admin(viewer.user)
    return await _page(request, session, viewer)


@router.post("/users", response_model=None)
async def add_user(
    request: Request, session: SessionDep, viewer: Viewer, form: CsrfForm, clock: ClockDep
) -> Response:
    access.require_admin(viewer.user)
    email, role = _text(form, "email"), _text(form, "role")
    try:
        user = await create_user(
            session=session, email=email, password=_text(form, "password"), role=role
        )
    except (UserError, PasswordPolicyError) as error:
        await undo(session, viewer.user)
        return await _page(
            request, session, viewer, error=str(error), email=email, role=role, status=400
        )
    audit.record(
        session=session,
        actor=viewer.user.email,
        action="user.create",
        target=user.email,
        detail={"role": role},
        at=clock(),
    )
    await session.commit()
    return RedirectResponse("/admin/users?done=created", status_code=303)


@router.post("/users/{user_id}", response_model=None)
async def change_user(
    request: Request,
    user_id: RowId,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
) -> Response:
    access.require_admin(viewer.user)
    user = await session.get(User, user_id)
    if user is None:
        raise NotFoundError(N_("There is no such login."))
    try:
        password = _text(form, "password")
        if password:
            await set_password(session=session, user=user, password=password, now=clock())
        await set_role(
            session=session,
            user=user,
            role=_text(form, "role"),
            active=_text(form, "active") == "yes",
        )
    except (UserError, PasswordPolicyError) as error:
        await undo(session, viewer.user)
        return await _page(request, session, viewer, error=str(error), status=400)
    audit.record(
        session=session,
        actor=viewer.user.email,
        action="user.edit",
        target=user.email,
        detail={"role": user.role, "active": user.active, "password_set": bool(password)},
        at=clock(),
    )
    await session.commit()
    return RedirectResponse("/admin/users?done=saved", status_code=303)
