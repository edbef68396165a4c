"""Who may use the workshop API: an API token, or the signed-in browser of the screens.

The card-call screen and the wall call the same JSON API as scripts do, with the
admin session cookie instead of a token. A cookie is sent by the browser on its
own, so every change made with one must also carry the session's CSRF token in
the `X-CSRF-Token` header (a page of ours can read it; another site cannot).
Leads of the programme and administrators run workshops; staff cannot.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials

from admin.services import access, sessions, tokens
from admin.web.deps import ClockDep, SessionDep, SettingsDep, bearer
from admin.web.errors import ForbiddenError, NotFoundError
from collection.models import Programme, User

CSRF_HEADER = "X-CSRF-Token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_workshop_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is not None and credentials.scheme.lower() == "bearer":
        user = await tokens.user_for(session=session, token=credentials.credentials, now=clock())
        if user is None:
            raise HTTPException(
                401, "That API token does not work.", {"WWW-Authenticate": "Bearer"}
            )
        await session.commit()
        return user
    cookie = request.cookies.get(sessions.COOKIE)
    found = None
    if cookie:
        found = await sessions.find(
            session=session,
            token=cookie,
            now=clock(),
            idle=timedelta(minutes=settings.admin_idle_minutes),
        )
        await session.commit()
    if found is None:
        raise HTTPException(401, "Sign in, or send an API token.", {"WWW-Authenticate": "Bearer"})
    if request.method not in _SAFE:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, found.row.csrf_token):
            raise HTTPException(403, "The page's security token is missing; reload the page.")
    return found.user


WorkshopUser = Annotated[User, Depends(get_workshop_user)]


async def facilitated(*, session: SessionDep, user: User, code: str) -> Programme:
    """The programme if this user may run its workshop (its leads, administrators)."""
    try:
        programme = await access.programme_for(session=session, user=user, code=code)
        access.require_manage(user)
    except NotFoundError as error:
        raise HTTPException(404, error.message) from error
    except ForbiddenError as error:
        raise HTTPException(403, error.message) from error
    return programme
