"""Store what the engine says happened, inside the inbound message's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.model import (
    AddStatement,
    Completed,
    Consented,
    Declined,
    Discarded,
    Disclosed,
    Effect,
    EraseRequested,
    Expired,
    FollowUp,
    OptedIn,
    OptedOut,
    RemoveStatement,
    Reopened,
    SetLanguage,
    SetPerspective,
    SetPicks,
    SetSegment,
)
from bot.safeguarding import Disclosure
from collection import erasure
from collection.models import AuditEntry, Participant, Pick, Programme, Response, Statement
from collection.safeguarding.cases import AlertSettings, open_case


async def apply_effects(
    *,
    session: AsyncSession,
    effects: tuple[Effect, ...],
    response: Response,
    participant: Participant | None,
    now: datetime,
    alerts: AlertSettings | None = None,
) -> bool:
    """Apply each effect in order. Returns False if the person was erased.

    `alerts` says how to tell the programme's safeguarding contacts of a disclosure;
    without it the case is still opened (and shows in "needs attention").
    """
    for effect in effects:
        match effect:
            case Consented(version=version):
                response.consent_version, response.consented_at = version, now
            case Declined():
                response.status = "declined"
            case SetPerspective(perspective=perspective):
                response.perspective = perspective
            case SetSegment(segment=segment):
                response.segment = segment
            case SetLanguage(language=language):
                response.language = language
            case AddStatement(category=category, position=position, text=text, flags=flags):
                session.add(
                    Statement(
                        response_id=response.id,
                        programme_id=response.programme_id,
                        category=category,
                        position=position,
                        text=text,
                        flags=list(flags),
                        language=response.language,
                        created_at=now,
                    )
                )
                await session.flush()
            case Disclosed(category=category, position=position):
                await _open_case(session, effect, response, now, alerts)
            case RemoveStatement(category=category, position=position):
                await _remove_statement(session, response.id, category, position)
            case SetPicks(category=category, positions=positions):
                await _set_picks(session, response.id, category, positions)
            case Completed():
                response.status, response.completed_at = "complete", now
            case Reopened():
                response.status = "active"
            case FollowUp(wanted=wanted):
                response.follow_up = wanted
            case OptedOut():
                if participant is not None:
                    participant.opted_out, participant.opted_out_at = True, now
                if response.status == "active":
                    response.status = "partial"
            case OptedIn():
                if participant is not None:
                    participant.opted_out, participant.opted_out_at = False, None
                if response.status == "partial":
                    response.status = "active"
            case Discarded():
                await session.execute(delete(Statement).where(Statement.response_id == response.id))
                response.perspective = response.segment = None
                response.status, response.completed_at = "active", None
            case Expired():
                response.status = "partial"
            case EraseRequested():
                programmes: list[str] = []
                if participant is not None:
                    erased = await erasure.erase_participant(
                        session=session, participant_id=participant.id
                    )
                    programmes = list(erased.programmes)
                # When, by whom and where, never what: the reference lets an operator
                # re-apply the erasure to a backup restored later.
                session.add(
                    AuditEntry(
                        actor="participant (DELETE)",
                        action="participant.erase",
                        target=response.reference,
                        at=now,
                        detail={"channel": response.channel, "programmes": programmes},
                    )
                )
                return False
    return True


async def _open_case(
    session: AsyncSession,
    effect: Disclosed,
    response: Response,
    now: datetime,
    alerts: AlertSettings | None,
) -> None:
    found = await session.execute(
        select(Statement).where(
            Statement.response_id == response.id,
            Statement.category == effect.category,
            Statement.position == effect.position,
        )
    )
    statement = found.scalar_one_or_none()
    programme = await session.get(Programme, response.programme_id)
    if statement is None or programme is None:
        return
    disclosure = Disclosure(
        category=effect.kind,  # type: ignore[arg-type]
        categories=tuple(effect.kinds),  # type: ignore[arg-type]
        phrase=effect.phrase,
    )
    await open_case(
        session=session,
        programme=programme,
        response=response,
        statement=statement,
        disclosure=disclosure,
        now=now,
        alerts=alerts,
    )


def apply_participant_effects(
    *, participant: Participant, effects: tuple[Effect, ...], now: datetime
) -> None:
    """Apply what the lobby decided (STOP and START from an address in no conversation)."""
    for effect in effects:
        match effect:
            case OptedOut():
                participant.opted_out, participant.opted_out_at = True, now
            case OptedIn():
                participant.opted_out, participant.opted_out_at = False, None
            case _:
                raise ValueError(f"the lobby cannot apply {type(effect).__name__}")


async def _remove_statement(
    session: AsyncSession, response_id: int, category: str, position: int
) -> None:
    await session.execute(
        delete(Statement).where(
            Statement.response_id == response_id,
            Statement.category == category,
            Statement.position == position,
        )
    )


async def _set_picks(
    session: AsyncSession, response_id: int, category: str, positions: tuple[int, ...]
) -> None:
    await session.execute(
        delete(Pick).where(Pick.response_id == response_id, Pick.category == category)
    )
    if not positions:
        return
    rows = await session.execute(
        select(Statement.position, Statement.id).where(
            Statement.response_id == response_id, Statement.category == category
        )
    )
    by_position = {position: statement_id for position, statement_id in rows.all()}
    for rank, position in enumerate(positions, 1):
        statement_id = by_position.get(position)
        if statement_id is not None:
            session.add(
                Pick(
                    response_id=response_id, statement_id=statement_id, category=category, rank=rank
                )
            )
    await session.flush()


async def mark_reminded(*, session: AsyncSession, response_id: int) -> None:
    await session.execute(
        update(Response)
        .where(Response.id == response_id)
        .values(reminders_sent=Response.reminders_sent + 1)
    )
