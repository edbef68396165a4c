"""Adds the workshop's analysis to a deck for the `themes` and `report` export formats.

One step shared by `wtfc export`, the admin's export page and the API export
path, so the three give the same analysis for the same workshop.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from admin.exports.deck import Deck
from admin.exports.formats import WORKSHOP_FORMATS
from admin.services.workshop_deck import load_board
from admin.services.workshop_report import WorkshopReport, build_report
from collection.models import Programme
from collection.workshop.votes import ballots_of


async def analysis_of(*, session: AsyncSession, programme: Programme, deck: Deck) -> WorkshopReport:
    board = await load_board(session=session, programme=programme)
    ballots = await ballots_of(session=session, programme_id=programme.id)
    return build_report(board, made_at=deck.exported_at, ballots=len(ballots))


async def with_analysis(
    *, session: AsyncSession, programme: Programme, deck: Deck, fmt: str
) -> Deck:
    """The deck as it is for card formats; with the analysis for the workshop formats."""
    if fmt not in WORKSHOP_FORMATS:
        return deck
    return replace(
        deck, analysis=await analysis_of(session=session, programme=programme, deck=deck)
    )
