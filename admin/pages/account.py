"""My account: password, the locale for dates and numbers, and personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.services import audit, tokens
from admin.services.passwords import PasswordPolicyError, verify_password
from admin.services.users import set_password
from admin.web import i18n
from admin.web.deps import ClockDep, CsrfForm, RowId, SessionDep, Viewer, undo
from admin.web.i18n import N_
from admin.web.rendering import LOCALES, render

router = APIRouter(prefix="/admin", include_in_schema=False)


async def _page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    *,
    new_token: str | None = None,
    error: object | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "account.html",
        {
            "tokens": await tokens.tokens_of(session=session, user=viewer.user),
            "new_token": new_token,
            "error": error,
            "locales": LOCALES,
            "ui_languages": i18n.LANGUAGES,
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
        status_code=status,
    )


@router.get("/account", response_class=HTMLResponse)
async def account(request: Request, session: SessionDep, viewer: Viewer) -> HTMLResponse:
    return await _page(request, session, viewer)


@router.post("/account/password", response_model=None)
async def change_password(
    request: Request, session: SessionDep, viewer: Viewer, form: CsrfForm, clock: ClockDep
) -> Response:
    current, new = form.get("current"), form.get("new")
    if not isinstance(current, str) or not verify_password(viewer.user.password_hash, current):
        return await _page(
            request,
            session,
            viewer,
            error=N_("Your current password is not right."),
            status=400,
        )
    try:
        await set_password(
            session=session,
            user=viewer.user,
            password=new if isinstance(new, str) else "",
            now=clock(),
        )
    except PasswordPolicyError as error:
        await undo(session, viewer.user)
        return await _page(request, session, viewer, error=str(error), status=400)
    audit.record(
        session=session,
        actor=viewer.user.email,
        action="user.password",
        target=viewer.user.email,
        at=clock(),
    )
    await session.commit()
    return RedirectResponse("/admin/login?done=password", status_code=303)


@router.post("/account/locale")
async def change_locale(session: SessionDep, viewer: Viewer, form: CsrfForm) -> RedirectResponse:
    locale = form.get("locale")
    if isinstance(locale, str) and locale in LOCALES:
        viewer.user.locale = locale
        await session.merge(viewer.user)
        await session.commit()
    return RedirectResponse("/admin/account?done=saved", status_code=303)


@router.post("/account/language")
async def change_language(session: SessionDep, viewer: Viewer, form: CsrfForm) -> RedirectResponse:
    """The language of the admin pages for this login (stored on it, so every device agrees)."""
    language = form.get("language")
    if isinstance(language, str) and language in i18n.LANGUAGES:
        viewer.user.language = language
        await session.merge(viewer.user)
        await session.commit()
    response = RedirectResponse("/admin/account?done=saved", status_code=303)
    i18n.remember_language(response, viewer.user.language)
    return response


@router.post("/account/tokens", response_model=None)
async def new_token(
    request: Request, session: SessionDep, viewer: Viewer, form: CsrfForm, clock: ClockDep
) -> Response:
    name = form.get("name")
    made = await tokens.create_token(
        session=session, user=viewer.user, name=name if isinstance(name, str) else "", now=clock()
    )
    audit.record(
        session=session,
        actor=viewer.user.email,
        action="token.create",
        target=made.row.prefix,
        at=clock(),
    )
    await session.commit()
    return await _page(request, session, viewer, new_token=made.token)


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(
    token_id: RowId, session: SessionDep, viewer: Viewer, form: CsrfForm, clock: ClockDep
) -> RedirectResponse:
    if await tokens.revoke(session=session, user=viewer.user, token_id=token_id, now=clock()):
        audit.record(
            session=session,
            actor=viewer.user.email,
            action="token.revoke",
            target=str(token_id),
            at=clock(),
        )
        await session.commit()
    return RedirectResponse("/admin/account?done=revoked", status_code=303)
