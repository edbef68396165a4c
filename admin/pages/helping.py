"""Helping people take part: typing answers in, inviting by text, the kiosk, the poster."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from admin.exports.poster import PosterContent, build_poster
from admin.services import access, audit
from admin.services.progress import CATEGORY_NAMES
from admin.services.text_invites import InviteError, invite_by_sms
from admin.web.deps import ClockDep, CsrfForm, ServicesDep, SessionDep, SettingsDep, Viewer, undo
from admin.web.rendering import render
from bot.messages import LANGUAGE_NAMES
from bot.model import CATEGORIES
from collection.assisted import AssistedAnswers, AssistedEntryError, record_assisted
from collection.kiosk import kiosk_key
from collection.models import Programme, User
from collection.programmes import is_collecting
from collection.settings import Settings

router = APIRouter(prefix="/admin", include_in_schema=False)


def public_base(request: Request, settings: Settings) -> str:
    return (settings.public_url or str(request.base_url)).rstrip("/")


def sms_number(programme: Programme, settings: Settings) -> str | None:
    """The number on the poster: the programme's own, else the sending number if it is one."""
    if programme.sms_number:
        return programme.sms_number
    sender = (settings.twilio_from or "").strip()
    return sender if sender[:1] in ("+", "0") else None


def telegram_link(programme: Programme, settings: Settings) -> str | None:
    username = (settings.telegram_bot_username or "").strip().lstrip("@")
    return f"https://t.me/{username}?start={programme.code}" if username else None


def _help_context(
    request: Request, programme: Programme, settings: Settings, **extra: Any
) -> dict[str, Any]:
    return {
        "programme": programme,
        "kiosk_url": (
            f"/chat?code={quote(programme.code)}&kiosk=1"
            f"&key={kiosk_key(settings.secret_key, programme.code)}"
        ),
        "web_url": f"{public_base(request, settings)}/chat?code={quote(programme.code)}",
        "telegram_url": telegram_link(programme, settings),
        "sms_number": sms_number(programme, settings),
        "collecting": programme.status == "collecting",
        "invite_error": None,
        "phone": "",
        **extra,
    }


@router.get("/programmes/{code}/help", response_class=HTMLResponse)
async def help_page(
    request: Request, code: str, session: SessionDep, viewer: Viewer, settings: SettingsDep
) -> HTMLResponse:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    return render(
        request,
        "help.html",
        _help_context(request, programme, settings),
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.post("/programmes/{code}/invite", response_model=None)
async def invite(
    request: Request,
    code: str,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    services: ServicesDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    phone = form.get("phone")
    phone = phone if isinstance(phone, str) else ""
    try:
        await invite_by_sms(
            session=session,
            vault=services.vault,
            programme=programme,
            phone=phone[:40],
            agreed=form.get("agreed") == "yes",
            now=clock(),
            actor=viewer.user.email,  # queue_invite writes the audit entry
        )
    except InviteError as error:
        await undo(session, viewer.user, programme)
        context = _help_context(
            request, programme, settings, invite_error=str(error), phone=phone[:40]
        )
        return render(
            request,
            "help.html",
            context,
            user=viewer.user,
            csrf_token=viewer.csrf_token,
            status_code=400,
        )
    await session.commit()
    return RedirectResponse(
        f"/admin/programmes/{programme.code}/help?done=invited#invite", status_code=303
    )


@router.get("/programmes/{code}/poster.pdf")
async def poster(
    request: Request, code: str, session: SessionDep, viewer: Viewer, settings: SettingsDep
) -> Response:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    context = _help_context(request, programme, settings)
    pdf = build_poster(
        PosterContent(
            name=programme.name,
            code=programme.code,
            purpose=programme.purpose,
            sms_number=context["sms_number"],
            web_url=context["web_url"],
            telegram_url=context["telegram_url"],
        )
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="poster-{programme.code}.pdf"'},
    )


def _answers_from(form: FormData, programme: Programme) -> tuple[AssistedAnswers, dict[str, Any]]:
    """The typed answers, and the raw boxes and ticks to show the form again if needed."""
    texts: dict[str, list[str]] = {}
    ticked: dict[str, list[int]] = {}
    statements: dict[str, list[str]] = {}
    picks: dict[str, list[int]] = {}
    for category in CATEGORIES:
        boxes = [form.get(f"{category}_{i}") for i in range(programme.max_statements)]
        texts[category] = [b.strip() if isinstance(b, str) else "" for b in boxes]
        ticked[category] = [
            i for i in range(programme.max_statements) if form.get(f"{category}_{i}_pick") == "yes"
        ]
        # positions count only the boxes filled in, as they would in the conversation
        filled = [i for i, text in enumerate(texts[category]) if text]
        statements[category] = [texts[category][i] for i in filled]
        picks[category] = [filled.index(i) + 1 for i in ticked[category] if i in filled]

    def choice(name: str) -> str | None:
        value = form.get(name)
        return value if isinstance(value, str) and value else None

    answers = AssistedAnswers(
        statements=statements,
        picks=picks,
        perspective=choice("perspective"),
        segment=choice("segment"),
        language=choice("language"),
    )
    raw = {
        "texts": texts,
        "ticked": ticked,
        "perspective": answers.perspective,
        "segment": answers.segment,
        "language": answers.language,
        "agreed": form.get("agreed") == "yes",
    }
    return answers, raw


def _assisted_context(
    programme: Programme, values: dict[str, Any], errors: list[str]
) -> dict[str, Any]:
    return {
        "programme": programme,
        "values": values,
        "errors": errors,
        "categories": [(c, CATEGORY_NAMES[c]) for c in CATEGORIES],
        "languages": {code: LANGUAGE_NAMES.get(code, code) for code in programme.languages},
        "collecting": is_collecting(programme),
    }


def _empty_values(programme: Programme) -> dict[str, Any]:
    return {
        "texts": {c: [""] * programme.max_statements for c in CATEGORIES},
        "ticked": {c: [] for c in CATEGORIES},
        "perspective": None,
        "segment": None,
        "language": programme.languages[0] if programme.languages else "en",
        "agreed": False,
    }


@router.get("/programmes/{code}/assisted", response_class=HTMLResponse)
async def assisted_page(
    request: Request, code: str, session: SessionDep, viewer: Viewer
) -> HTMLResponse:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    return render(
        request,
        "assisted.html",
        _assisted_context(programme, _empty_values(programme), []),
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


def _assisted_by(user: User) -> str:
    return user.email


@router.post("/programmes/{code}/assisted", response_model=None)
async def assisted_save(
    request: Request,
    code: str,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
) -> Response:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    answers, raw = _answers_from(form, programme)
    try:
        if not raw["agreed"]:
            raise AssistedEntryError(["Please tick to confirm the person agreed to take part."])
        response = await record_assisted(
            session=session,
            programme=programme,
            answers=answers,
            assisted_by=_assisted_by(viewer.user),
            now=clock(),
            alerts=request.app.state.services.alerts,
        )
    except AssistedEntryError as error:
        await undo(session, viewer.user, programme)
        return render(
            request,
            "assisted.html",
            _assisted_context(programme, raw, error.problems),
            user=viewer.user,
            csrf_token=viewer.csrf_token,
            status_code=400,
        )
    audit.record(
        session=session,
        actor=viewer.user.email,
        action="response.assisted",
        target=programme.code,
        detail={"reference": response.reference},
        at=clock(),
    )
    await session.commit()
    return RedirectResponse(
        f"/admin/programmes/{programme.code}/assisted?done=recorded&reference={response.reference}",
        status_code=303,
    )
