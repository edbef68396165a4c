"""The workshop exports through the API: `GET /api/v1/programmes/{code}/exports/{fmt}`.

For a lead who scripts their printing or feeds a theming tool: the same files
as the admin's export page and `wtfc export`, for leads (their programmes) and
admins; staff tokens get 403, like staff on the page. Every call is audited.
The file is made while the request waits (in a worker thread); for very large
decks the command line (`wtfc export`) is kinder.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response

from admin.exports.choices import FormatName, LayoutName
from admin.exports.formats import FORMATS
from admin.services import access
from admin.web.deps import ApiUser, ClockDep, SessionDep
from admin.web.downloads import download
from admin.web.errors import ForbiddenError, NotFoundError

router = APIRouter(prefix="/programmes", tags=["exports"])

_BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The export file, as an attachment",
        "content": {f.media_type.split(";")[0]: _BINARY for f in FORMATS.values()},
    },
    401: {"description": "No API token, or one that does not work"},
    403: {"description": "The token's owner may not export (staff)"},
    404: {"description": "No such programme visible to the token's owner"},
}


@router.get(
    "/{code}/exports/{fmt}",
    response_class=Response,
    responses=RESPONSES,
    summary="Download a workshop export",
)
async def export_file(
    code: str,
    fmt: Annotated[
        FormatName,
        Path(
            description="cards or strips (PDF, A4), xlsx (a sheet per question), csv; "
            "after the workshop, themes (XLSX) or report (PDF)"
        ),
    ],
    session: SessionDep,
    user: ApiUser,
    clock: ClockDep,
    all: Annotated[
        bool, Query(description="Every statement; by default only each person's top-two picks")
    ] = False,
    layout: Annotated[
        LayoutName, Query(description="Cards only: 2x4 (8 a page) or 1x2 (2 big cards a page)")
    ] = "2x4",
) -> Response:
    """The cards, strips or spreadsheet for the Theme workshop, in card-call order.

    Anonymous: no names, phone numbers or chat ids. Statements left out in the
    quality review are not included; edited card text and translations are.
    """
    try:
        programme = await access.programme_for(session=session, user=user, code=code)
        access.require_manage(user)
    except NotFoundError as error:
        raise HTTPException(404, error.message) from error
    except ForbiddenError as error:
        raise HTTPException(403, error.message) from error
    return await download(
        session=session,
        programme=programme,
        actor=user.email,
        fmt=fmt,
        layout=layout,
        include_all=all,
        via="api",
        at=clock(),
    )
