"""An export answered as a file download: the HTTP side of `admin/exports/choices.py`.

Shared by the admin's direct download links and the API, so both give the same file,
the same name, the same headers and the same audit entry.
"""

from __future__ import annotations

from datetime import datetime

from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from admin.exports.choices import choose, download_name, export_bytes, record_export
from admin.exports.source import load_deck
from admin.exports.workshop import with_analysis
from collection.models import Programme


async def download(
    *,
    session: AsyncSession,
    programme: Programme,
    actor: str,
    fmt: str,
    layout: str,
    include_all: bool,
    via: str,
    at: datetime,
) -> Response:
    """Make one export while the request waits, audit it, and answer with the file.

    Shared by the admin's direct download links and the API, so both give the same
    file, the same name and the same audit entry.
    """
    chosen = choose(fmt, layout)
    deck = await load_deck(session=session, programme=programme, include_all=include_all)
    deck = await with_analysis(session=session, programme=programme, deck=deck, fmt=fmt)
    body = await export_bytes(deck, fmt, layout)
    record_export(
        session=session,
        actor=actor,
        programme_code=programme.code,
        fmt=fmt,
        layout=layout,
        include_all=include_all,
        count=len(deck.statements),
        via=via,
        at=at,
    )
    await session.commit()
    name = download_name(programme.code, fmt, layout, include_all)
    return Response(
        body,
        media_type=chosen.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-WTFC-Held-Back": str(deck.held_back),
        },
    )
