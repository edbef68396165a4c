"""Votes: each person's three highest-priority "not working" themes.

A ballot comes from a phone (the page behind the wall's QR code, one per device
by a signed cookie) or a text (`VOTE 2 5 7`, one per participant). People vote by
the number a pile has on the wall: the "not working" piles in wall order, from 1.
Voting again replaces the earlier ballot, so a slip of the thumb can be fixed.
Paper dots typed in by the facilitator are kept on the pile and added in results.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collection.workshop import store
from collection.workshop.errors import WorkshopError
from collection.workshop.models import WorkshopBallot, WorkshopPile

VOTES_PER_PERSON = 3
VOTE_CATEGORY = "not_working"


async def ballots_of(*, session: AsyncSession, programme_id: int) -> list[WorkshopBallot]:
    rows = await session.execute(
        select(WorkshopBallot)
        .where(WorkshopBallot.programme_id == programme_id)
        .order_by(WorkshopBallot.id)
    )
    return list(rows.scalars())


async def numbered_piles(*, session: AsyncSession, programme_id: int) -> list[WorkshopPile]:
    """The piles people vote for, in the order (and so with the numbers) the wall shows."""
    return await store.piles(session=session, programme_id=programme_id, category=VOTE_CATEGORY)


async def set_voting(
    *, session: AsyncSession, programme_id: int, open_: bool, now: datetime
) -> None:
    """Open or close voting. Opening gives the ballot cookies a fresh key."""
    state = await store.state_of(session=session, programme_id=programme_id)
    if open_ and not state.voting_open:
        state.vote_salt = state.vote_salt or secrets.token_hex(16)
    state.voting_open = open_
    state.updated_at = now
    await session.flush()


def choose(numbers: Sequence[int], piles: Sequence[WorkshopPile]) -> list[int]:
    """The pile ids for the numbers a person gave: exactly three different, all on the wall."""
    distinct = list(dict.fromkeys(numbers))
    if len(distinct) != len(numbers):
        raise WorkshopError("Choose three different themes.")
    wanted = min(VOTES_PER_PERSON, len(piles))
    if len(distinct) != wanted:
        raise WorkshopError(f"Choose {wanted} themes.")
    if any(not 1 <= n <= len(piles) for n in distinct):
        raise WorkshopError(f"Theme numbers go from 1 to {len(piles)}.")
    return [piles[n - 1].id for n in distinct]


async def cast(
    *,
    session: AsyncSession,
    programme_id: int,
    voter: str,
    channel: str,
    pile_ids: Sequence[int],
    now: datetime,
) -> WorkshopBallot:
    """Store (or replace) one voter's ballot; refused once the facilitator has closed voting."""
    state = await store.state_of(session=session, programme_id=programme_id)
    if not state.voting_open:
        raise WorkshopError("Voting is closed.", status=409)
    on_wall = {p.id for p in await numbered_piles(session=session, programme_id=programme_id)}
    wanted = min(VOTES_PER_PERSON, len(on_wall))
    chosen = list(dict.fromkeys(pile_ids))
    if len(chosen) != wanted or not set(chosen) <= on_wall:
        raise WorkshopError(f'Choose {wanted} different "not working" themes.')
    found = await session.execute(
        select(WorkshopBallot).where(
            WorkshopBallot.programme_id == programme_id, WorkshopBallot.voter == voter
        )
    )
    ballot = found.scalar_one_or_none()
    if ballot is None:
        ballot = WorkshopBallot(programme_id=programme_id, voter=voter, channel=channel)
        session.add(ballot)
    ballot.pile_ids, ballot.at, ballot.channel = chosen, now, channel
    await session.flush()
    return ballot
