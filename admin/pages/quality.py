"""The quality checkpoint page, the reviewer's actions on a statement, and word lists."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from admin.services import access, audit, quality, splitting
from admin.services.flags import FLAG_KINDS, FLAG_NAMES
from admin.services.languages import ENGLISH_NAMES
from admin.services.progress import CATEGORY_NAMES, CHANNEL_NAMES
from admin.services.wordlists import own_list, phrases_for, reset_phrases, save_phrases
from admin.web.deps import (
    ClockDep,
    CsrfForm,
    RowId,
    SessionDep,
    SignedInUser,
    Viewer,
    undo,
)
from admin.web.errors import NotFoundError
from admin.web.i18n import N_
from admin.web.rendering import render
from bot.messages import LANGUAGE_NAMES
from bot.model import CATEGORIES
from collection.models import Programme

router = APIRouter(prefix="/admin", include_in_schema=False)
PAGE_LIMIT = 300
ACTIONS = (
    "edit",
    "translate",
    "exclude",
    "include",
    "reviewed",
    "unreviewed",
    "approve",
    "unapprove",
)
SHOW_CHOICES = {
    "flagged": N_("Statements to check (flagged or edited)"),
    "all": N_("All statements"),
    "personal": N_("Personal details (masked in exports)"),
    "split": N_("Split statements and their parts"),
    "excluded": N_("Left out of the export"),
    **FLAG_NAMES,
}


async def _please_check(
    request: Request, session: AsyncSession, viewer: SignedInUser, error: Exception
) -> Response:
    """Undo what the form changed and say why, on the error page (400)."""
    await undo(session, viewer.user)
    return render(
        request,
        "error.html",
        {"title": "Please check", "message": str(error)},
        user=viewer.user,
        csrf_token=viewer.csrf_token,
        status_code=400,
    )


def _filters(request: Request) -> tuple[str, str, bool]:
    show = request.query_params.get("show", "flagged")
    show = show if show in SHOW_CHOICES else "flagged"
    category = request.query_params.get("category", "")
    category = category if category in CATEGORIES else ""
    hide_reviewed = request.query_params.get("hide_reviewed") == "1"
    return show, category, hide_reviewed


@router.get("/programmes/{code}/quality", response_class=HTMLResponse)
async def quality_page(
    request: Request, code: str, session: SessionDep, viewer: Viewer
) -> HTMLResponse:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    access.require_manage(viewer.user)
    show, category, hide_reviewed = _filters(request)
    result = await quality.review(session=session, programme=programme)
    chosen = quality.select_items(
        result.items, show=show, category=category, hide_reviewed=hide_reviewed
    )
    back = urlencode(
        {"show": show, "category": category, "hide_reviewed": "1" if hide_reviewed else ""}
    )
    return render(
        request,
        "quality.html",
        {
            "programme": programme,
            "review": result,
            "items": chosen[:PAGE_LIMIT],
            "more": max(len(chosen) - PAGE_LIMIT, 0),
            "show": show,
            "category": category,
            "hide_reviewed": hide_reviewed,
            "show_choices": SHOW_CHOICES,
            "categories": CATEGORY_NAMES,
            "flag_names": FLAG_NAMES,
            "flag_kinds": FLAG_KINDS,
            "channel_names": CHANNEL_NAMES,
            "back": back,
            "languages": {code: ENGLISH_NAMES.get(code, code) for code in programme.languages},
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


def _back_to(programme: Programme, form_back: object, statement_id: int, done: str) -> str:
    query = form_back if isinstance(form_back, str) and "/" not in form_back else ""
    joiner = "&" if query else ""
    return f"/admin/programmes/{programme.code}/quality?{query}{joiner}done={done}#s-{statement_id}"


@router.post("/programmes/{code}/statements/{statement_id}/split", response_model=None)
async def split_statement(
    request: Request,
    code: str,
    statement_id: RowId,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
) -> Response:
    """Split one statement into parts (the original kept, marked split); audited."""
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    access.require_manage(viewer.user)
    statement = await quality.statement_in(
        session=session, programme=programme, statement_id=statement_id
    )
    if statement is None:
        raise NotFoundError(N_("That statement is not in this programme."))
    parts = [p for p in form.getlist("part") if isinstance(p, str)]
    raw_pick = form.get("pick_to")
    pick_to = int(raw_pick) if isinstance(raw_pick, str) and raw_pick.isdecimal() else None
    try:
        if pick_to is not None and pick_to > splitting.MAX_PARTS:
            raise splitting.SplitError(N_("Please choose one of the parts for the pick."))
        if pick_to is not None:  # count the chosen field among the non-empty ones only
            filled = [i for i, p in enumerate(parts, 1) if p.strip()]
            pick_to = filled.index(pick_to) + 1 if pick_to in filled else 0
        result = await splitting.split_statement(
            session=session, statement=statement, parts=parts, pick_to=pick_to
        )
    except splitting.SplitError as error:
        return await _please_check(request, session, viewer, error)
    audit.record(
        session=session,
        actor=viewer.user.email,
        action="statement.split",
        target=programme.code,
        detail={
            "statement_id": statement.id,
            "parts": [part.id for part in result.parts],
            "pick_moved_to": result.pick_moved_to.id if result.pick_moved_to else None,
        },
        at=clock(),
    )
    await session.commit()
    return RedirectResponse(
        _back_to(programme, form.get("back"), statement.id, "split"), status_code=303
    )


@router.post("/programmes/{code}/statements/{statement_id}/{action}", response_model=None)
async def statement_action(
    request: Request,
    code: str,
    statement_id: RowId,
    action: str,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
) -> Response:
    """edit (card text), translate, exclude (with a reason), include, reviewed, unreviewed."""
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    access.require_manage(viewer.user)
    statement = await quality.statement_in(
        session=session, programme=programme, statement_id=statement_id
    )
    if statement is None or action not in ACTIONS:
        raise NotFoundError(N_("That statement is not in this programme."))
    done = {
        "edit": "edited",
        "exclude": "excluded",
        "include": "included",
        "approve": "approved",
        "unapprove": "masked",
    }.get(action, "reviewed")
    try:
        if action == "edit":
            text = form.get("card_text")
            changed = quality.set_card_text(
                statement, text if isinstance(text, str) else "", clock()
            )
            if not changed:
                done = "saved"
        elif action == "translate":
            text = form.get("translation")
            changed = quality.set_translation(statement, text if isinstance(text, str) else "")
            done = "translated" if statement.translation else "untranslated"
            if not changed:
                done = "saved"
        elif action == "exclude":
            reason = form.get("reason")
            quality.exclude(statement, reason if isinstance(reason, str) else "")
        elif action == "include":
            quality.include(statement)
        elif action in ("approve", "unapprove"):
            if not quality.approve_original(statement, action == "approve"):
                done = "saved"
        else:
            statement.reviewed = action == "reviewed"
            done = "reviewed" if statement.reviewed else "saved"
    except quality.StatementEditError as error:
        return await _please_check(request, session, viewer, error)
    audit.record(
        session=session,
        actor=viewer.user.email,
        action=f"statement.{action}",
        target=programme.code,
        detail={
            "statement_id": statement.id,
            "edited": statement.card_text is not None,
            "translated": statement.translation is not None,
            "original_approved": statement.original_approved,
            "language": statement.language,
        },
        at=clock(),
    )
    await session.commit()
    return RedirectResponse(
        _back_to(programme, form.get("back"), statement.id, done), status_code=303
    )


@router.get("/programmes/{code}/words/{language}", response_class=HTMLResponse)
async def word_list_page(
    request: Request, code: str, language: str, session: SessionDep, viewer: Viewer
) -> HTMLResponse:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    access.require_manage(viewer.user)
    if language not in LANGUAGE_NAMES:
        raise NotFoundError(N_("We do not know that language."))
    phrases = await phrases_for(session=session, programme_id=programme.id, language=language)
    own = await own_list(session=session, programme_id=programme.id, language=language)
    return render(
        request,
        "wordlist.html",
        {
            "programme": programme,
            "language": language,
            "language_name": ENGLISH_NAMES.get(language, language),
            "phrases": phrases,
            "own": own,
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.post("/programmes/{code}/words/{language}")
async def save_word_list(
    code: str,
    language: str,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
) -> RedirectResponse:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    access.require_manage(viewer.user)
    if language not in LANGUAGE_NAMES:
        raise NotFoundError(N_("We do not know that language."))
    if form.get("reset") == "1":
        await reset_phrases(session=session, programme_id=programme.id, language=language)
        action, count, done = "wordlist.reset", 0, "reset"
    else:
        raw = form.get("phrases")
        lines = raw.splitlines() if isinstance(raw, str) else []
        saved = await save_phrases(
            session=session,
            programme_id=programme.id,
            language=language,
            phrases=lines,
            by=viewer.user.email,
            now=clock(),
        )
        action, count, done = "wordlist.edit", len(saved), "saved"
    audit.record(
        session=session,
        actor=viewer.user.email,
        action=action,
        target=programme.code,
        detail={"language": language, "phrases": count},
        at=clock(),
    )
    await session.commit()
    return RedirectResponse(
        f"/admin/programmes/{programme.code}/words/{language}?done={done}", status_code=303
    )
