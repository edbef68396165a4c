"""Sign-in and sign-out pages, and the cookie that carries the session."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.services import audit, sessions
from admin.services.sign_in import LoginError, RateLimitedError, sign_in
from admin.web import csrf
from admin.web.deps import ClockDep, CsrfForm, SessionDep, SettingsDep, Viewer, refuse_nul
from admin.web.i18n import N_, Text, remember_language
from admin.web.rendering import render
from collection.settings import Settings

router = APIRouter(prefix="/admin", include_in_schema=False)


def is_secure(request: Request, settings: Settings) -> bool:
    """Secure cookies whenever the public address or this request is https."""
    if settings.public_url and settings.public_url.lower().startswith("https://"):
        return True
    return request.url.scheme == "https"


def safe_next(value: str | None) -> str:
    """Only paths inside the admin: never send someone to another site after signing in."""
    if value and value.startswith("/admin") and not value.startswith("//"):
        return value
    return "/admin"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_page(
    request: Request,
    settings: Settings,
    *,
    next_path: str,
    error: object | None,
    status: int,
    email: str = "",
    expired: bool = False,
) -> HTMLResponse:
    token = request.cookies.get(csrf.LOGIN_COOKIE) or csrf.new_token()
    response = render(
        request,
        "login.html",
        {"next": next_path, "error": error, "email": email, "expired": expired},
        csrf_token=token,
        status_code=status,
    )
    response.set_cookie(
        csrf.LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=is_secure(request, settings),
        path="/admin",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_page(
    request: Request, settings: SettingsDep, next: str = "/admin", expired: bool = False
) -> HTMLResponse:
    return _login_page(
        request, settings, next_path=safe_next(next), error=None, status=200, expired=expired
    )


@router.post("/login", response_model=None)
async def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form()] = "/admin",
) -> Response:
    form = await request.form()
    csrf.check(form, request.cookies.get(csrf.LOGIN_COOKIE))
    refuse_nul(form)
    next_path = safe_next(next)
    try:
        signed = await sign_in(
            session=session,
            email=email,
            password=password,
            address=client_address(request),
            now=clock(),
            idle=timedelta(minutes=settings.admin_idle_minutes),
        )
    except RateLimitedError as limited:
        minutes = int(limited.retry_after.total_seconds() // 60)
        return _login_page(
            request,
            settings,
            next_path=next_path,
            email=email,
            status=429,
            error=Text(
                N_("Too many attempts. Please wait %(minutes)s minutes and try again."),
                {"minutes": minutes},
            ),
        )
    except LoginError:
        await session.commit()  # remember the failed attempt
        return _login_page(
            request,
            settings,
            next_path=next_path,
            email=email,
            status=400,
            error=N_("That e-mail address and password do not match. Please try again."),
        )
    await session.commit()
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        sessions.COOKIE,
        signed.token,
        httponly=True,
        samesite="lax",
        secure=is_secure(request, settings),
        path="/",
    )
    response.delete_cookie(csrf.LOGIN_COOKIE, path="/admin")
    remember_language(response, signed.user.language)
    return response


@router.post("/logout")
async def logout(
    request: Request, session: SessionDep, viewer: Viewer, form: CsrfForm
) -> RedirectResponse:
    token = request.cookies.get(sessions.COOKIE, "")
    await sessions.end(session=session, token=token)
    audit.record(session=session, actor=viewer.user.email, action="logout")
    await session.commit()
    response = RedirectResponse("/admin/login?done=signed_out", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


def login_redirect(next_path: str, expired: bool) -> RedirectResponse:
    target = "/admin/login?next=" + quote(safe_next(next_path), safe="/")
    if expired:
        target += "&expired=1"
    return RedirectResponse(target, status_code=303)
