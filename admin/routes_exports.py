"""Downloading the workshop export from the admin (leads and admins only; audited).

The export formats live in `admin/exports/` (another engineer's area). This page
offers the formats registered in `DOWNLOADS`; add a format there when its
writer lands.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from admin import access, audit
from admin.deps import ClockDep, SessionDep, Viewer
from admin.errors import NotFoundError
from admin.exports.csv_export import write_csv
from admin.exports.deck import Deck
from admin.exports.source import load_deck
from admin.web import render

router = APIRouter(prefix="/admin", include_in_schema=False)


@dataclass(frozen=True)
class Download:
    label: str
    media_type: str
    extension: str
    write: Callable[[Deck], bytes]


def _csv(deck: Deck) -> bytes:
    out = io.StringIO(newline="")
    write_csv(deck, out)
    return out.getvalue().encode("utf-8-sig")


DOWNLOADS: dict[str, Download] = {
    "csv": Download("Spreadsheet (CSV)", "text/csv; charset=utf-8", "csv", _csv),
}


@router.get("/programmes/{code}/export", response_class=HTMLResponse)
async def export_page(
    request: Request, code: str, session: SessionDep, viewer: Viewer
) -> HTMLResponse:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    access.require_manage(viewer.user)
    return render(
        request,
        "export.html",
        {"programme": programme, "downloads": DOWNLOADS},
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


@router.get("/programmes/{code}/export/{fmt}")
async def export_download(
    code: str,
    fmt: str,
    session: SessionDep,
    viewer: Viewer,
    clock: ClockDep,
    all: bool = False,
) -> Response:
    programme = await access.programme_for(session=session, user=viewer.user, code=code)
    access.require_manage(viewer.user)
    download = DOWNLOADS.get(fmt)
    if download is None:
        raise NotFoundError("That export format is not available.")
    deck = await load_deck(session=session, programme=programme, include_all=all)
    body = download.write(deck)
    audit.record(
        session=session,
        actor=viewer.user.email,
        action="export",
        target=programme.code,
        detail={"format": fmt, "all": all, "statements": len(deck.statements)},
        at=clock(),
    )
    await session.commit()
    name = f"{programme.code}-{'all' if all else 'top-two'}.{download.extension}"
    return Response(
        body,
        media_type=download.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
