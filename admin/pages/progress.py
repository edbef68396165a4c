"""The progress page staff leave open, and the JSON it polls to stay current."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from admin.pages.charts import responses_per_day
from admin.services import access
from admin.services.progress import CATEGORY_NAMES, CHANNEL_NAMES, PERSPECTIVE_NAMES, progress_of
from admin.web import i18n
from admin.web.deps import ClockDep, SessionDep, Viewer
from admin.web.i18n import N_, STATUS_NAMES
from admin.web.rendering import Formatter, render, templates
from bot.model import CATEGORIES
from collection.models import Programme, User
from collection.programmes import is_collecting

router = APIRouter(prefix="/admin", include_in_schema=False)
POLL_SECONDS = 15


async def _context(session: Any, programme: Programme, user: User, now: Any) -> dict[str, Any]:
    progress = await progress_of(session=session, programme=programme, now=now)
    language = i18n.choose(user_language=user.language, query=None, cookie=None, accept=None)
    fmt = Formatter("cy_GB" if language == "cy" else user.locale)

    def label_day(day: date) -> str:
        return fmt.date(day, "d MMM")

    return {
        "programme": programme,
        "progress": progress,
        "categories": [(c, CATEGORY_NAMES[c]) for c in CATEGORIES],
        "channel_names": CHANNEL_NAMES,
        "perspective_names": PERSPECTIVE_NAMES,
        "chart": responses_per_day(
            progress.per_day,
            label_day=label_day,
            title=i18n.gettext(language, N_("People who started each day")),
            summary=i18n.gettext(language, N_("%(title)s: %(total)s in the %(days)s days shown.")),
        ),
        "collecting_now": is_collecting(programme, now),
        "updated_at": now,
        "fmt": fmt,
        "ui_language": language,
        "status_names": STATUS_NAMES,
    }


@router.get("/programmes/{code}", response_class=HTMLResponse)
async def progress_page(
    request: Request, code: str, session: SessionDep, viewer: Viewer, clock: ClockDep
) -> HTMLResponse:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    context = await _context(session, programme, viewer.user, clock())
    context["poll_seconds"] = POLL_SECONDS
    return render(request, "progress.html", context, user=viewer.user, csrf_token=viewer.csrf_token)


@router.get("/programmes/{code}/progress.json")
async def progress_json(
    request: Request, code: str, session: SessionDep, viewer: Viewer, clock: ClockDep
) -> JSONResponse:
    """The numbers and the re-drawn section, for progress.js to swap in without a reload."""
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    context = await _context(session, programme, viewer.user, clock())
    html = templates.get_template("_progress_body.html").render(context)
    data = context["progress"].to_read().model_dump(mode="json")
    return JSONResponse({"html": html, "progress": data}, headers={"Cache-Control": "no-store"})
