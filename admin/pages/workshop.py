"""The workshop's pages: the facilitator's overview, the card-call screen, the wall, votes.

The card-call screen and the wall are thin: their scripts (admin/static/workshop-*.js)
read and change the workshop through the JSON API (admin/api/workshop.py), so
every device following the workshop sees the same thing and nothing lives only
in a browser. The votes page is plain forms, for a facilitator typing dot counts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from admin.exports.categories import LABELS, category_colour
from admin.services import access, audit
from admin.services.workshop_deck import load_board, votes_read
from admin.web.deps import ClockDep, CsrfForm, SessionDep, SettingsDep, Viewer
from admin.web.i18n import N_
from admin.web.rendering import render
from bot.model import CATEGORIES
from collection.models import Programme
from collection.workshop import store, votes
from collection.workshop.errors import WorkshopError

router = APIRouter(prefix="/admin/programmes/{code}/workshop", include_in_schema=False)
POLL_SECONDS = 3


async def _programme(session: SessionDep, viewer: Viewer, code: str) -> Programme:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    access.require_manage(viewer.user)
    return programme


def vote_url(request: Request, public_url: str | None, code: str) -> str:
    """Where phones vote: the public address when set, else the one this page was served on."""
    base = (public_url or str(request.base_url)).rstrip("/")
    return f"{base}/vote/{code}"


def qr_data_uri(url: str) -> str:
    """The QR code as an SVG data URI (the CSP allows data: images, not inline SVG styles)."""
    uri: str = segno.make(url, error="m").svg_data_uri(scale=8, border=2)
    return uri


def _colours(programme: Programme, board: Any) -> dict[str, str]:
    return {c: "#{:02x}{:02x}{:02x}".format(*category_colour(board.deck, c)) for c in CATEGORIES}


@router.get("", response_class=HTMLResponse)
async def overview(
    request: Request, code: str, session: SessionDep, viewer: Viewer
) -> HTMLResponse:
    """What the workshop needs: the two screens, progress per category, votes, the report."""
    programme = await _programme(session, viewer, code)
    board = await load_board(session=session, programme=programme)
    state = await store.state_of(session=session, programme_id=programme.id)
    rows = [
        {
            "category": c,
            "label": LABELS[c],
            "cards": len(board.in_category(c)),
            "called": sum(1 for card in board.in_category(c) if board.is_called(card)),
            "piles": len(board.piles[c]),
            "parked": len(board.parked[c]),
        }
        for c in CATEGORIES
    ]
    return render(
        request,
        "workshop/overview.html",
        {"programme": programme, "rows": rows, "state": state},
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.get("/call", response_class=HTMLResponse)
async def call_screen(
    request: Request, code: str, session: SessionDep, viewer: Viewer
) -> HTMLResponse:
    """The card-call screen for the projector: one card at a time, keyboard, mouse or touch."""
    programme = await _programme(session, viewer, code)
    board = await load_board(session=session, programme=programme)
    return render(
        request,
        "workshop/call.html",
        {"programme": programme, "colours": _colours(programme, board), "labels": LABELS},
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.get("/wall", response_class=HTMLResponse)
async def wall_screen(
    request: Request, code: str, session: SessionDep, viewer: Viewer, settings: SettingsDep
) -> HTMLResponse:
    """The second screen: the current category's piles, live, readable across a room."""
    programme = await _programme(session, viewer, code)
    url = vote_url(request, settings.public_url, programme.code)
    return render(
        request,
        "workshop/wall.html",
        {
            "programme": programme,
            "vote_url": url,
            "qr": qr_data_uri(url),
            "poll_seconds": POLL_SECONDS,
            "labels": LABELS,
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.get("/votes", response_class=HTMLResponse)
async def votes_page(
    request: Request, code: str, session: SessionDep, viewer: Viewer, settings: SettingsDep
) -> HTMLResponse:
    """Open and close voting, type in paper dots, mark the themes carried forward."""
    programme = await _programme(session, viewer, code)
    board = await load_board(session=session, programme=programme)
    state = await store.state_of(session=session, programme_id=programme.id)
    ballots = await votes.ballots_of(session=session, programme_id=programme.id)
    url = vote_url(request, settings.public_url, programme.code)
    return render(
        request,
        "workshop/votes.html",
        {
            "programme": programme,
            "result": votes_read(board, state.voting_open, len(ballots)),
            "vote_url": url,
            "qr": qr_data_uri(url),
            "error": request.query_params.get("error"),
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.post("/votes")
async def change_votes(
    request: Request,
    code: str,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
) -> RedirectResponse:
    """One form for the votes page: voting open/closed, dots and carried forward per theme."""
    programme = await _programme(session, viewer, code)
    back = f"/admin/programmes/{programme.code}/workshop/votes"
    actor = viewer.user.email
    try:
        if form.get("voting") in ("open", "close"):
            is_open = form.get("voting") == "open"
            await votes.set_voting(
                session=session, programme_id=programme.id, open_=is_open, now=clock()
            )
            audit.record(
                session=session,
                actor=actor,
                action="workshop.voting",
                target=programme.code,
                detail={"open": is_open},
                at=clock(),
            )
        else:
            piles = await votes.numbered_piles(session=session, programme_id=programme.id)
            forward = {str(v) for v in form.getlist("forward")}
            for found in piles:
                raw = str(form.get(f"dots-{found.id}", "")).strip() or "0"
                if not raw.isdigit() or len(raw) > 5:
                    raise WorkshopError(N_("Dots must be whole numbers."))
                dots, carried = int(raw), str(found.id) in forward
                if (dots, carried) != (found.dots, found.carried_forward):
                    await store.update_pile(
                        session=session,
                        programme_id=programme.id,
                        pile_id=found.id,
                        actor=actor,
                        now=clock(),
                        dots=dots,
                        carried_forward=carried,
                    )
            audit.record(
                session=session,
                actor=actor,
                action="workshop.votes.edit",
                target=programme.code,
                detail={"forward": sorted(forward)},
                at=clock(),
            )
    except WorkshopError as error:
        await session.rollback()
        return RedirectResponse(f"{back}?error={quote(error.message)}", status_code=303)
    return RedirectResponse(f"{back}?done=saved", status_code=303)


@router.get("/piles", response_class=HTMLResponse)
async def piles_page(
    request: Request, code: str, session: SessionDep, viewer: Viewer
) -> HTMLResponse:
    """Tidy the piles after (or during) the card call: rename, merge, split, move a card."""
    programme = await _programme(session, viewer, code)
    board = await load_board(session=session, programme=programme)
    return render(
        request,
        "workshop/piles.html",
        {
            "programme": programme,
            "board": board,
            "labels": LABELS,
            "categories": CATEGORIES,
            "error": request.query_params.get("error"),
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.post("/piles")
async def change_piles(
    code: str,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
) -> RedirectResponse:
    """One form handler for the piles page; each change is logged (undo) and audited."""
    programme = await _programme(session, viewer, code)
    back = f"/admin/programmes/{programme.code}/workshop/piles"
    actor, now = viewer.user.email, clock()
    action = str(form.get("action", ""))
    try:
        board = await load_board(session=session, programme=programme)
        pile_id = _int(form.get("pile"))
        if action == "rename" and pile_id is not None:
            await store.update_pile(
                session=session, programme_id=programme.id, pile_id=pile_id, actor=actor,
                now=now, name=str(form.get("name", "")),
            )  # fmt: skip
            detail: dict[str, Any] = {"pile": pile_id}
        elif action == "merge" and pile_id is not None:
            into = _int(form.get("into"))
            if into is None:
                raise WorkshopError(N_("Choose the pile to merge into."))
            await store.merge(
                session=session, programme_id=programme.id, source_id=pile_id,
                target_id=into, actor=actor, now=now,
            )  # fmt: skip
            detail = {"pile": pile_id, "into": into}
        elif action == "split" and pile_id is not None:
            references = [str(r) for r in form.getlist("card")]
            ids = [board.card(r).statement.statement_id for r in references]
            made = await store.split(
                session=session, programme_id=programme.id, pile_id=pile_id,
                statement_ids=ids, name=str(form.get("name", "")), actor=actor, now=now,
            )  # fmt: skip
            detail = {"pile": pile_id, "new": made.id, "cards": references}
        elif action == "move":
            card = board.card(str(form.get("card", "")))
            target = str(form.get("to", ""))
            await store.place(
                session=session,
                programme_id=programme.id,
                statement_id=card.statement.statement_id,
                pile_id=_int(target),
                parked=target == "parked",
                actor=actor,
                now=now,
            )
            detail = {"card": card.reference, "to": target}
        else:
            raise WorkshopError(N_("That change is not one this page makes."))
    except WorkshopError as error:
        await session.rollback()
        return RedirectResponse(f"{back}?error={quote(error.message)}", status_code=303)
    action_name = "card.place" if action == "move" else f"pile.{action}"
    audit.record(session=session, actor=actor, action=f"workshop.{action_name}",
                 target=programme.code, detail=detail, at=now)  # fmt: skip
    return RedirectResponse(f"{back}?done=saved", status_code=303)


def _int(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None
