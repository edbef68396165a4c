"""Votes by text: `VOTE 2 5 7` from a person who took part in a programme voting now.

The vote counts for the programme the address took part in whose workshop has
voting open (the most recent such response, if several). One ballot per
participant; a second text replaces the first. Otherwise the person gets a kind
answer and nothing is stored: voting closed, or the numbers not understood.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.model import Reply
from bot.votes import VoteRequest
from collection.models import Participant, Response
from collection.workshop import votes
from collection.workshop.errors import WorkshopError
from collection.workshop.models import WorkshopState


async def answer_vote(
    *, session: AsyncSession, participant: Participant, request: VoteRequest, now: datetime
) -> tuple[tuple[Reply, ...], str]:
    """The replies to a vote text, and the language to send them in."""
    if participant.opted_out:
        return (), "en"
    rows = (
        await session.execute(
            select(Response.programme_id, Response.language, WorkshopState.voting_open)
            .outerjoin(WorkshopState, WorkshopState.programme_id == Response.programme_id)
            .where(Response.participant_id == participant.id)
            .order_by(Response.last_activity_at.desc(), Response.id.desc())
        )
    ).all()
    language = rows[0].language if rows else "en"
    voting = next((row for row in rows if row.voting_open), None)
    if voting is None:
        return (Reply(key="vote_closed"),), language
    piles = await votes.numbered_piles(session=session, programme_id=voting.programme_id)
    unclear = (Reply(key="vote_unclear", params=(("last", len(piles)),)),), voting.language
    if request.numbers is None:
        return unclear
    try:
        chosen = votes.choose(request.numbers, piles)
        await votes.cast(
            session=session,
            programme_id=voting.programme_id,
            voter=f"sms:{participant.id}",
            channel=participant.channel,
            pile_ids=chosen,
            now=now,
        )
    except WorkshopError:
        return unclear
    shown = ", ".join(str(n) for n in dict.fromkeys(request.numbers))
    return (Reply(key="vote_saved", params=(("choices", shown),)),), voting.language
