"""People who took part, for the "you said, we did" tests: real conversations through intake."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from collection.intake import InboundMessage
from collection.models import InboundLog, Participant, Programme, Response
from collection.programmes import create_programme
from collection.runtime import Services

ANSWERS = ("YES", "1", "Going out on Fridays", "DONE", "The bus is late", "DONE", "A job")
"""Consent, "for myself", one statement in each category (so no pick question)."""


async def park(services: Services, languages: Sequence[str] = ("en", "cy")) -> Programme:
    async with services.sessions() as session, session.begin():
        return await create_programme(
            session=session,
            name="Park Centre",
            code="PARK",
            purpose="We want to hear what matters to you.",
            languages=list(languages),
        )


async def say(services: Services, channel: str, address: str, text: str) -> list[str]:
    """One message from a person; the keys of the replies it got."""
    result = await services.intake.handle(
        InboundMessage(channel=channel, address=address, text=text)
    )
    return [reply.key for reply in result.replies]


async def take_part(
    services: Services,
    channel: str,
    address: str,
    *,
    hear_back: str = "YES",
    welsh: bool = False,
    segment: str | None = None,
) -> None:
    """A whole conversation ending with the answer to "a message later about what changes?"."""
    await say(services, channel, address, "PARK")
    if welsh:
        await say(services, channel, address, "LANGUAGE")
        await say(services, channel, address, "2")
    answers = list(ANSWERS)
    if segment is not None:  # the programme asks which part of the sample they are in
        answers.insert(2, segment)
    for text in answers:
        await say(services, channel, address, text)
    assert await say(services, channel, address, "DONE") == ["summary"]
    assert await say(services, channel, address, "YES") == ["ask_followup"]
    assert await say(services, channel, address, hear_back) == ["goodbye"]


async def last_wrote_at(services: Services, when: datetime) -> None:
    """Make every stored message look as if it had arrived at `when` (WhatsApp's window)."""
    async with services.sessions() as session, session.begin():
        await session.execute(update(InboundLog).values(received_at=when))


async def participant_id(services: Services, channel: str) -> list[int]:
    async with services.sessions() as session:
        rows = await session.execute(
            select(Participant.id).where(Participant.channel == channel).order_by(Participant.id)
        )
        return list(rows.scalars())


async def responses(services: Services) -> list[Response]:
    async with services.sessions() as session:
        return list((await session.execute(select(Response).order_by(Response.id))).scalars())
