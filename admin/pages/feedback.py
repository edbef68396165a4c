"""The "You said, we did" pages: write a round, see its cost and audience, send, watch delivery.

Leads and administrators only. Writing a round does not send it: the round's
page shows what each language costs by SMS and how many people it will reach
on each channel, and only its Send button queues it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from admin.services import access
from admin.services.feedback_costs import sms_costs
from admin.services.feedback_view import round_view
from admin.services.languages import ENGLISH_NAMES
from admin.services.progress import CHANNEL_NAMES
from admin.web.deps import ClockDep, CsrfForm, SessionDep, Viewer, undo
from admin.web.errors import NotFoundError
from admin.web.i18n import N_
from admin.web.rendering import render
from bot.messages import LANGUAGE_NAMES
from collection import feedback
from collection.models import FeedbackRound, Programme, User

router = APIRouter(prefix="/admin", include_in_schema=False)

STATE_NAMES = {
    "queued": N_("Waiting to send"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
    "failed": N_("Not delivered"),
}


async def _programme(session: AsyncSession, user: User, code: str) -> Programme:
    programme = await access.programme_for(session=session, user=user, code=code)
    access.require_manage(user)
    return programme


async def _round(session: AsyncSession, programme: Programme, number: int) -> FeedbackRound:
    try:
        return await feedback.get_round(session=session, programme=programme, number=number)
    except feedback.RoundNotFoundError as error:
        raise NotFoundError("There is no such message for this programme.") from error


async def _list_context(
    session: AsyncSession, programme: Programme, texts: dict[str, str], error: str | None
) -> dict[str, Any]:
    rounds = await feedback.list_rounds(session=session, programme=programme)
    audience = await feedback.audience(session=session, programme=programme)
    return {
        "programme": programme,
        "rounds": rounds,
        "texts": texts,
        "error": error,
        "costs": sms_costs(texts),
        "audience": feedback.count_by_channel_language(audience),
        "audience_total": len(audience),
        "language_names": LANGUAGE_NAMES,
        "english_names": ENGLISH_NAMES,
        "channel_names": CHANNEL_NAMES,
        "max_text": feedback.MAX_TEXT,
    }


@router.get("/programmes/{code}/feedback", response_class=HTMLResponse)
async def feedback_page(
    request: Request, code: str, session: SessionDep, viewer: Viewer
) -> HTMLResponse:
    programme = await _programme(session, viewer.user, code)
    return render(
        request,
        "feedback.html",
        await _list_context(session, programme, {}, None),
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.post("/programmes/{code}/feedback", response_model=None)
async def create_round(
    request: Request,
    code: str,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
) -> Response:
    programme = await _programme(session, viewer.user, code)
    texts = {}
    for language in programme.languages:
        value = form.get(f"text_{language}")
        texts[str(language)] = value[: feedback.MAX_TEXT * 2] if isinstance(value, str) else ""
    if form.get("action") == "preview":
        return render(
            request,
            "feedback.html",
            await _list_context(session, programme, texts, None),
            user=viewer.user,
            csrf_token=viewer.csrf_token,
        )
    try:
        created = await feedback.create_round(
            session=session, programme=programme, texts=texts, actor=viewer.user.email, now=clock()
        )
    except feedback.FeedbackError as error:
        await undo(session, viewer.user, programme)
        return render(
            request,
            "feedback.html",
            await _list_context(session, programme, texts, str(error)),
            user=viewer.user,
            csrf_token=viewer.csrf_token,
            status_code=400,
        )
    await session.commit()
    return RedirectResponse(
        f"/admin/programmes/{programme.code}/feedback/{created.number}", status_code=303
    )


@router.get("/programmes/{code}/feedback/{number}", response_class=HTMLResponse)
async def round_page(
    request: Request, code: str, number: int, session: SessionDep, viewer: Viewer
) -> HTMLResponse:
    programme = await _programme(session, viewer.user, code)
    found = await _round(session, programme, number)
    view = await round_view(session=session, programme=programme, round_=found)
    return render(
        request,
        "feedback_round.html",
        {
            "programme": programme,
            "view": view,
            "language_names": LANGUAGE_NAMES,
            "channel_names": CHANNEL_NAMES,
            "state_names": STATE_NAMES,
            "sent": request.query_params.get("queued"),
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.post("/programmes/{code}/feedback/{number}/send", response_model=None)
async def send_round(
    code: str, number: int, session: SessionDep, viewer: Viewer, form: CsrfForm, clock: ClockDep
) -> Response:
    programme = await _programme(session, viewer.user, code)
    found = await _round(session, programme, number)
    summary = await feedback.send_round(
        session=session, programme=programme, round_=found, actor=viewer.user.email, now=clock()
    )
    await session.commit()
    return RedirectResponse(
        f"/admin/programmes/{programme.code}/feedback/{found.number}?queued={summary.queued}",
        status_code=303,
    )


@router.post("/programmes/{code}/feedback/{number}/repeat", response_model=None)
async def repeat_round(
    code: str, number: int, session: SessionDep, viewer: Viewer, form: CsrfForm, clock: ClockDep
) -> Response:
    programme = await _programme(session, viewer.user, code)
    try:
        created = await feedback.repeat_round(
            session=session,
            programme=programme,
            number=number,
            actor=viewer.user.email,
            now=clock(),
        )
    except feedback.RoundNotFoundError as error:
        raise NotFoundError("There is no such message for this programme.") from error
    await session.commit()
    return RedirectResponse(
        f"/admin/programmes/{programme.code}/feedback/{created.number}", status_code=303
    )
