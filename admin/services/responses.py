"""Finding one response by its reference, and erasing a person.

Staff look people up by the short reference they were given (R-7K3PQA); phone
numbers are never listed or shown. An administrator's erasure removes all the
person told us in every programme, their contact details and their message log.
A lead's erasure stays inside the lead's own programmes (see collection/erasure.py),
and what a lead is shown counts only those: nothing about other programmes.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from collection import erasure
from collection.models import Participant, Pick, Programme, Response, Statement

_REFERENCE = re.compile(r"^R-?([A-Z0-9]{6})$")


def normalise_reference(raw: str) -> str | None:
    plain = "".join(raw.split()).upper()
    found = _REFERENCE.match(plain)
    return f"R-{found.group(1)}" if found else None


@dataclass
class Found:
    response: Response
    programme: Programme
    statements: list[tuple[Statement, int | None]]
    has_contact: bool
    other_responses: int
    """How many other responses of this same person (address) an erasure takes too:
    in every programme for an administrator, only in the lead's own for a lead."""


async def find(
    *, session: AsyncSession, reference: str, within: Collection[int] | None = None
) -> Found | None:
    """The response with this reference; `within` limits what is counted to these
    programme ids (a lead's), None counts every programme (an administrator)."""
    result = await session.execute(
        select(Response, Programme)
        .join(Programme, Programme.id == Response.programme_id)
        .where(Response.reference == reference)
    )
    row = result.first()
    if row is None:
        return None
    response, programme = row
    statements = (
        await session.execute(
            select(Statement, Pick.rank)
            .outerjoin(Pick, Pick.statement_id == Statement.id)
            .where(Statement.response_id == response.id)
            .order_by(Statement.category, Statement.position)
        )
    ).all()
    has_contact = False
    others = 0
    if response.participant_id is not None:
        participant = await session.get(Participant, response.participant_id)
        has_contact = participant is not None and participant.address_encrypted is not None
        query = select(func.count()).where(
            Response.participant_id == response.participant_id, Response.id != response.id
        )
        if within is not None:
            query = query.where(Response.programme_id.in_(list(within)))
        others = int((await session.execute(query)).scalar_one())
    return Found(response, programme, [(s, r) for s, r in statements], has_contact, others)


async def erase(
    *, session: AsyncSession, found: Found, within: Collection[int] | None = None
) -> erasure.Erased:
    """Erase the person behind a response: everywhere (`within` None, an administrator) or
    only in the programmes `within` (a lead). A response nobody can be reached at (typed
    in by staff) goes on its own."""
    participant_id = found.response.participant_id
    if participant_id is None:
        await erasure.erase_response(session=session, response_id=found.response.id)
        return erasure.Erased((found.programme.code,), 1, contact_erased=False)
    if within is None:
        return await erasure.erase_participant(session=session, participant_id=participant_id)
    return await erasure.erase_participant_within(
        session=session, participant_id=participant_id, programme_ids=within
    )
