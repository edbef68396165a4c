"""The export page: every workshop format, a preview of the first cards, progress for long ones.

Leads (their own programmes) and admins only; staff never export. Two ways to
get a file, both audited:

- With JavaScript, export.js starts a background job (`jobs.json`), polls its
  state and offers the file when it is ready: a 10,000-card PDF takes a while,
  and a lead should see it moving rather than a browser spinning.
- Without JavaScript the same form is a plain GET that answers with the file
  itself (`export/file`), slower to start but always works. `export/{fmt}` is
  the older direct link, kept for bookmarks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.background import BackgroundTask

from admin.exports import jobs as export_jobs
from admin.exports.categories import LABELS
from admin.exports.choices import CHOICES, LAYOUTS, choose, download_name, record_export
from admin.exports.jobs import JobState, JobStore
from admin.exports.preview import colour_css, preview
from admin.exports.source import load_deck
from admin.exports.workshop import with_analysis
from admin.services import access
from admin.web.deps import ClockDep, CsrfForm, SessionDep, SettingsDep, Viewer
from admin.web.downloads import download
from admin.web.errors import NotFoundError
from admin.web.i18n import N_
from admin.web.rendering import render
from collection.models import Programme, User

router = APIRouter(prefix="/admin", include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def get_job_store(settings: SettingsDep) -> JobStore:
    return JobStore(settings.export_dir)


JobStoreDep = Annotated[JobStore, Depends(get_job_store)]


async def _managed(session: SessionDep, user: User, code: str) -> Programme:
    """The programme, if this user may export it: a lead only their own; staff never."""
    programme = await access.programme_for(session=session, user=user, code=code)
    access.require_manage(user)
    return programme


@router.get("/programmes/{code}/export", response_class=HTMLResponse)
async def export_page(
    request: Request,
    code: str,
    session: SessionDep,
    viewer: Viewer,
    store: JobStoreDep,
    all: bool = False,
) -> HTMLResponse:
    programme = await _managed(session, viewer.user, code)
    store.sweep()
    deck = await load_deck(session=session, programme=programme, include_all=all)
    return render(
        request,
        "export.html",
        {
            "programme": programme,
            "choices": CHOICES,
            "layouts": LAYOUTS,
            "labels": LABELS,
            "include_all": all,
            "preview": preview(deck),
            "held_back": deck.held_back,
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.get("/programmes/{code}/export/colours.css")
async def export_colours(code: str, session: SessionDep, viewer: Viewer) -> Response:
    """The card colours for the preview, this programme's future colour included."""
    programme = await _managed(session, viewer.user, code)
    return Response(
        colour_css(programme.future_colour),
        media_type="text/css",
        headers={"Cache-Control": "private, no-cache"},
    )


@router.get("/programmes/{code}/export/file")
async def export_file(
    code: str,
    session: SessionDep,
    viewer: Viewer,
    clock: ClockDep,
    format: str = "cards",
    layout: str = "2x4",
    all: bool = False,
) -> Response:
    """The export form without JavaScript: the file in the answer."""
    return await _download(session, viewer.user, clock, code, format, layout, all)


@router.post("/programmes/{code}/export/jobs.json")
async def start_job(
    code: str,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
    store: JobStoreDep,
) -> JSONResponse:
    """Start writing the export in the background; export.js polls the status it returns."""
    programme = await _managed(session, viewer.user, code)
    fmt, layout = str(form.get("format", "")), str(form.get("layout", "2x4"))
    include_all = form.get("all") == "true"
    chosen = choose(fmt, layout)
    store.sweep()
    if store.running_for(viewer.user.id) >= export_jobs.MAX_RUNNING_PER_USER:
        return JSONResponse(
            {"detail": "Several of your exports are still being made. Please wait a moment."},
            status_code=429,
            headers=NO_STORE,
        )
    deck = await load_deck(session=session, programme=programme, include_all=include_all)
    deck = await with_analysis(session=session, programme=programme, deck=deck, fmt=fmt)
    state = store.create(
        owner=viewer.user.id,
        programme=programme.code,
        fmt=fmt,
        layout=layout,
        include_all=include_all,
        filename=download_name(programme.code, fmt, layout, include_all),
        media_type=chosen.media_type,
        total=len(deck.statements),
    )
    record_export(
        session=session,
        actor=viewer.user.email,
        programme_code=programme.code,
        fmt=fmt,
        layout=layout,
        include_all=include_all,
        count=len(deck.statements),
        via="admin",
        at=clock(),
    )
    await session.commit()
    export_jobs.start(store, state, deck)
    return JSONResponse(_status(programme, state), status_code=202, headers=NO_STORE)


@router.get("/programmes/{code}/export/jobs/{job_id}.json")
async def job_status(
    code: str, job_id: str, session: SessionDep, viewer: Viewer, store: JobStoreDep
) -> JSONResponse:
    """How far the export has got. Any app process can answer: the state is a file."""
    programme = await _managed(session, viewer.user, code)
    state = _own_job(store, job_id, viewer.user, programme)
    return JSONResponse(_status(programme, state), headers=NO_STORE)


@router.get("/programmes/{code}/export/jobs/{job_id}/file")
async def job_file(
    code: str, job_id: str, session: SessionDep, viewer: Viewer, store: JobStoreDep
) -> FileResponse:
    """The finished file, once; it is deleted as soon as it has been sent."""
    programme = await _managed(session, viewer.user, code)
    state = _own_job(store, job_id, viewer.user, programme)
    path = store.output_path(state)
    if state.status != "done" or not path.is_file():
        raise NotFoundError(N_("This export is not ready, or it has already been downloaded."))
    return FileResponse(
        path,
        media_type=state.media_type,
        filename=state.filename,
        headers=NO_STORE,
        background=BackgroundTask(store.delete, state.id),
    )


@router.get("/programmes/{code}/export/{fmt}")
async def export_download(
    code: str,
    fmt: str,
    session: SessionDep,
    viewer: Viewer,
    clock: ClockDep,
    all: bool = False,
    layout: str = "2x4",
) -> Response:
    """A direct link to one format: /export/csv, /export/cards?all=true&layout=1x2."""
    return await _download(session, viewer.user, clock, code, fmt, layout, all)


async def _download(
    session: SessionDep,
    user: User,
    clock: ClockDep,
    code: str,
    fmt: str,
    layout: str,
    include_all: bool,
) -> Response:
    programme = await _managed(session, user, code)
    return await download(
        session=session,
        programme=programme,
        actor=user.email,
        fmt=fmt,
        layout=layout,
        include_all=include_all,
        via="admin",
        at=clock(),
    )


def _own_job(store: JobStore, job_id: str, user: User, programme: Programme) -> JobState:
    state = store.read_for(job_id, owner=user.id, programme=programme.code)
    if state is None:
        raise NotFoundError(N_("There is no such export, or it has expired."))
    return state


def _status(programme: Programme, state: JobState) -> dict[str, object]:
    base = f"/admin/programmes/{programme.code}/export/jobs/{state.id}"
    return {
        "id": state.id,
        "status": state.status,
        "done": state.done,
        "total": state.total,
        "percent": state.percent,
        "filename": state.filename,
        "error": state.error,
        "status_url": f"{base}.json",
        "download_url": f"{base}/file" if state.status == "done" else None,
    }
