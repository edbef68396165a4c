"""Finding one response by its reference, and erasing a person.

Staff look people up by the short reference they were given (R-7K3PQA); phone
numbers are never listed or shown. Erasing a person removes all they told us in
every programme, their contact details and their message log.
"""

from __future__ import annotations

import re
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
    """How many other programmes this same person (address) answered: erased too."""


async def find(*, session: AsyncSession, reference: str) -> Found | None:
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
        others = int(
            (
                await session.execute(
                    select(func.count()).where(
                        Response.participant_id == response.participant_id,
                        Response.id != response.id,
                    )
                )
            ).scalar_one()
        )
    return Found(response, programme, [(s, r) for s, r in statements], has_contact, others)


async def erase(*, session: AsyncSession, found: Found) -> int:
    """Erase the person behind a response (or the response alone if nobody can be reached).

    Returns how many responses went.
    """
    participant_id = found.response.participant_id
    if participant_id is None:
        await erasure.erase_response(session=session, response_id=found.response.id)
        return 1
    return await erasure.erase_participant(session=session, participant_id=participant_id)
