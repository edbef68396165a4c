"""What a lead may ask to export, and the audit entry every export leaves.

Shared by the admin pages (download and background jobs) and the API, so all
three accept the same formats and layouts and audit them the same way as the
`wtfc export` command: who, which programme, which format, picks or all, and
how many statements left the building.
"""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from admin.exports.deck import Deck
from admin.exports.formats import FORMATS, ExportFormat, filename, write_export
from admin.services import audit
from admin.web.errors import NotFoundError
from admin.web.i18n import N_

FormatName = Literal["cards", "strips", "xlsx", "csv", "themes", "report"]
LayoutName = Literal["2x4", "1x2"]
LAYOUTS: dict[str, str] = {
    "2x4": N_("8 cards to a page"),
    "1x2": N_("2 big cards to a page"),
}
"""Card layouts offered, in the order the export page lists them (the cards
writer's GRIDS; a test keeps the two in step)."""

CHOICES: dict[str, tuple[str, str]] = {
    "cards": (
        N_("Cards to cut out (PDF)"),
        N_("One statement per card, in its question's colour."),
    ),
    "strips": (
        N_("Strips of paper (PDF)"),
        N_("For a large card call: one statement per strip, in the largest type that fits."),
    ),
    "xlsx": (
        N_("Spreadsheet for Excel (XLSX)"),
        N_("For theming on a computer: a sheet for each question and a summary."),
    ),
    "csv": (N_("Spreadsheet as CSV"), N_("The same rows, for any other program.")),
    "themes": (
        N_("Workshop themes (XLSX)"),
        N_("After the workshop: each theme's cards, people, perspectives, segments, votes."),
    ),
    "report": (
        N_("Workshop report (PDF)"),
        N_("After the workshop: the themes with charts and cards, the votes, what goes on."),
    ),
}
"""What the export page calls each format, with a line on what it is for (one
entry per `FORMATS` name; a test keeps the two in step)."""


def choose(fmt: str, layout: str) -> ExportFormat:
    """The format asked for, checked; NotFound for a format or layout we do not make."""
    chosen = FORMATS.get(fmt)
    if chosen is None:
        raise NotFoundError(N_("That export format is not available."))
    if layout not in LAYOUTS:
        raise NotFoundError(N_("That card layout is not available."))
    return chosen


def download_name(code: str, fmt: str, layout: str, include_all: bool) -> str:
    """'park-cards-picks.pdf'; big cards say so, so two prints are not mixed up."""
    name = filename(code, fmt, include_all)
    if fmt == "cards" and layout != "2x4":
        stem, dot, extension = name.rpartition(".")
        name = f"{stem}-{layout}{dot}{extension}"
    return name


async def export_bytes(deck: Deck, fmt: str, layout: str) -> bytes:
    """The whole file in memory, written in a worker thread so other requests keep moving.

    For the plain download link (no JavaScript) and the API; the admin's
    background jobs write to a file instead.
    """
    buffer = io.BytesIO()
    await asyncio.to_thread(write_export, deck, fmt, buffer, layout=layout)
    return buffer.getvalue()


def record_export(
    *,
    session: AsyncSession,
    actor: str,
    programme_code: str,
    fmt: str,
    layout: str,
    include_all: bool,
    count: int,
    via: str,
    at: datetime,
) -> None:
    """The audit entry for one export (added to the session; the caller commits)."""
    detail: dict[str, object] = {
        "format": fmt,
        "all": include_all,
        "statements": count,
        "via": via,
    }
    if fmt == "cards":
        detail["layout"] = layout
    audit.record(
        session=session,
        actor=actor,
        action="export",
        target=programme_code,
        detail=detail,
        at=at,
    )
