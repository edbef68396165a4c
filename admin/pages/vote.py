"""The phone ballot behind the wall's QR code: `/vote/{code}`, no login.

Each device gets one ballot through a cookie holding a random token signed with
the app's key and this workshop's vote salt (a forged or another workshop's
cookie is ignored and a new token issued). Only a hash of the token is stored.
Voting again from the same phone replaces its ballot. Once the facilitator
closes voting, the page says so and nothing is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.web.deps import ClockDep, SessionDep, SettingsDep
from admin.web.rendering import render
from collection.models import Programme
from collection.programmes import get_by_code
from collection.workshop import store, votes
from collection.workshop.errors import WorkshopError

router = APIRouter(prefix="/vote", include_in_schema=False)
COOKIE = "wtfc_ballot"


def _sign(secret: str, salt: str, token: str) -> str:
    return hmac.new(f"{secret}:{salt}".encode(), token.encode(), hashlib.sha256).hexdigest()[:32]


def device_token(request: Request, secret: str, salt: str) -> str | None:
    """The device's token if its cookie is ours and for this workshop, else None."""
    raw = request.cookies.get(COOKIE, "")
    token, _, signature = raw.partition(".")
    if not token or not hmac.compare_digest(signature, _sign(secret, salt, token)):
        return None
    return token


def voter_of(token: str) -> str:
    return "web:" + hashlib.sha256(token.encode()).hexdigest()[:40]


async def _page(
    request: Request,
    session: SessionDep,
    programme: Programme | None,
    *,
    token: str | None,
    error: str | None = None,
    thanks: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    piles, chosen, is_open = [], [], False
    if programme is not None:
        state = await store.state_of(session=session, programme_id=programme.id)
        is_open = state.voting_open
        piles = await votes.numbered_piles(session=session, programme_id=programme.id)
        if token is not None:
            found = [
                b
                for b in await votes.ballots_of(session=session, programme_id=programme.id)
                if b.voter == voter_of(token)
            ]
            ballot = found[0] if found else None
            chosen = list(ballot.pile_ids) if ballot else []
    # render() with no login: the page follows the phone's language (Accept-Language).
    return render(
        request,
        "workshop/ballot.html",
        {
            "programme": programme,
            "piles": piles,
            "chosen": chosen,
            "voting_open": is_open,
            "error": error,
            "thanks": thanks,
            "wanted": min(votes.VOTES_PER_PERSON, len(piles)),
        },
        status_code=status_code,
    )


@router.get("/{code}", response_class=HTMLResponse)
async def ballot_page(
    request: Request, code: str, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    programme = await get_by_code(session=session, code=code)
    if programme is None:
        return await _page(request, session, None, token=None, status_code=404)
    state = await store.state_of(session=session, programme_id=programme.id)
    token = device_token(request, settings.secret_key, state.vote_salt)
    thanks = request.query_params.get("done") == "1" and token is not None
    return await _page(request, session, programme, token=token, thanks=thanks)


@router.post("/{code}", response_model=None)
async def cast_ballot(
    request: Request, code: str, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    programme = await get_by_code(session=session, code=code)
    if programme is None:
        return await _page(request, session, None, token=None, status_code=404)
    state = await store.state_of(session=session, programme_id=programme.id)
    token = device_token(request, settings.secret_key, state.vote_salt)
    fresh = token is None
    token = token or secrets.token_urlsafe(24)
    form = await request.form()
    try:
        pile_ids = [
            int(str(v)) for v in form.getlist("pile") if str(v).isdigit() and len(str(v)) < 12
        ]
        await votes.cast(
            session=session,
            programme_id=programme.id,
            voter=voter_of(token),
            channel="web",
            pile_ids=pile_ids,
            now=clock(),
        )
    except WorkshopError as error:  # refused before anything was written
        return await _page(
            request,
            session,
            programme,
            token=None if fresh else token,
            error=error.message,
            status_code=409 if error.status == 409 else 422,
        )
    answer = RedirectResponse(f"/vote/{programme.code}?done=1", status_code=303)
    if fresh:
        answer.set_cookie(
            COOKIE,
            f"{token}.{_sign(settings.secret_key, state.vote_salt, token)}",
            max_age=2 * 24 * 3600,
            path=f"/vote/{programme.code}",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return answer
