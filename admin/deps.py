"""FastAPI dependencies, declared once as `Annotated` aliases.

- `SessionDep`: a database session for the request; committed when the handler
  returns normally, rolled back when it raises.
- `Viewer`: the signed-in admin (pages), or a redirect to sign in.
- `CsrfForm`: the posted form, after its CSRF token was checked.
- `ApiUser`: the user behind an `Authorization: Bearer` API token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from admin import csrf, sessions, tokens
from admin.errors import BadFormError, LoginRequiredError
from admin.safeguarding import open_count
from collection.models import User
from collection.runtime import Services
from collection.settings import Settings

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def get_clock(request: Request) -> Clock:
    """The app's clock; tests swap it (app.state.clock) to move time forward."""
    clock: Clock = getattr(request.app.state, "clock", utcnow)
    return clock


ServicesDep = Annotated[Services, Depends(get_services)]

MAX_ROW_ID = 2**31 - 1
"""The largest id a row can have (PostgreSQL's INTEGER): a larger one in a path is a 422."""
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
"""A row's id in a path: a 20-digit number is refused before any query (no overflow, no 500)."""
ClockDep = Annotated[Clock, Depends(get_clock)]


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    async with services.sessions() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def undo(session: AsyncSession, *keep: object) -> None:
    """Roll back a failed change, then reload the objects the page still shows.

    A rollback expires every loaded object; reading one afterwards would need
    a lazy load, which async sessions refuse.
    """
    await session.rollback()
    for instance in keep:
        await session.refresh(instance)


@dataclass(frozen=True)
class SignedInUser:
    """The signed-in admin and the CSRF token of their session."""

    user: User
    csrf_token: str


async def get_viewer(
    request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> SignedInUser:
    token = request.cookies.get(sessions.COOKIE)
    next_path = request.url.path
    if request.method == "GET" and request.url.query:
        next_path += "?" + request.url.query
    if not token:
        raise LoginRequiredError(next_path)
    found = await sessions.find(
        session=session,
        token=token,
        now=clock(),
        idle=timedelta(minutes=settings.admin_idle_minutes),
    )
    if found is None:
        await session.commit()  # the expired session row is gone for good
        raise LoginRequiredError(next_path, expired=True)
    # The navigation shows how many safeguarding cases wait for someone.
    request.state.attention = await open_count(session=session, user=found.user)
    await session.commit()
    return SignedInUser(found.user, found.row.csrf_token)


Viewer = Annotated[SignedInUser, Depends(get_viewer)]


def refuse_nul(form: FormData) -> None:
    """No field of ours holds a NUL character (PostgreSQL refuses it): a 400, not a 503."""
    for _, value in form.multi_items():
        if isinstance(value, str) and "\x00" in value:
            raise BadFormError(
                "The form held an invisible NUL character, which cannot be stored. "
                "Go back, retype the text and send it again."
            )


async def get_checked_form(request: Request, viewer: Viewer) -> FormData:
    form = await request.form()
    csrf.check(form, viewer.csrf_token)
    refuse_nul(form)
    return form


CsrfForm = Annotated[FormData, Depends(get_checked_form)]

bearer = HTTPBearer(auto_error=False, description="A personal API token (Account page).")


async def get_api_user(
    session: SessionDep,
    clock: ClockDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "An API token is needed.", {"WWW-Authenticate": "Bearer"})
    user = await tokens.user_for(session=session, token=credentials.credentials, now=clock())
    if user is None:
        raise HTTPException(401, "That API token does not work.", {"WWW-Authenticate": "Bearer"})
    await session.commit()
    return user


ApiUser = Annotated[User, Depends(get_api_user)]
