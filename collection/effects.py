"""Store what a step says happened, inside its message's transaction, and keep the record.

Every change to what a person told us goes through `apply_step`: a conversation's
step (collection/intake.py), the lobby's STOP and START, a quiet response closed
by the timers, and staff typing answers in (collection/assisted.py). It applies
the effects in order (the one place that writes a response's statements, picks,
status and language) and appends them, serialised, to the log row of whatever
caused them, so `replay` (bot/history.py) can rebuild a response from its log.
The record holds the person's words and never an address; erasure clears it
with the rest of their answers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import case, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.history import Replayed, effect_from_dict, effect_to_dict, replay
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
    Paused,
    RemoveStatement,
    Reopened,
    Resumed,
    SetLanguage,
    SetPerspective,
    SetPicks,
    SetSegment,
)
from bot.safeguarding import Disclosure
from collection import erasure
from collection.models import (
    AuditEntry,
    InboundLog,
    Participant,
    Pick,
    Programme,
    Response,
    Statement,
    table,
)
from collection.safeguarding.cases import AlertSettings, open_case


class EffectRecord(Protocol):
    """Where a step's effects are kept: a log row (`InboundLog`), or an `EffectList`
    written to one later by its caller (the intake marks its row done in one UPDATE)."""

    effects: list[dict[str, Any]]


@dataclass
class EffectList:
    """The effects of one inbound message's step, until its row is marked done."""

    effects: list[dict[str, Any]] = field(default_factory=list)


PARTICIPANT_EFFECTS = (OptedOut, OptedIn)
"""What may happen to an address in no conversation (the lobby): STOP and START."""


_INSERT_STATEMENT = insert(table(Statement))
"""A statement goes in as a Core insert, executed at once: the ORM's unit of work (an
object, a flush to give it an id that nothing here reads) cost more than the insert."""


async def apply_step(
    *,
    session: AsyncSession,
    effects: tuple[Effect, ...],
    response: Response | None,
    participant: Participant | None,
    now: datetime,
    log: EffectRecord | None,
    alerts: AlertSettings | None = None,
) -> bool:
    """Apply each effect in order and append them to `log`. False if the person was erased.

    `response` None is the lobby: only STOP and START, on the participant. `alerts`
    says how to tell the programme's safeguarding contacts of a disclosure; without
    it the case is still opened (and shows in "needs attention").
    """
    kept = await _apply(session, effects, response, participant, now, alerts)
    if log is not None:
        if kept:
            target = response.id if response is not None else None
            log.effects = [*log.effects, *(_entry(e, target) for e in effects)]
        else:  # erased: the record says so, and keeps nothing of what the person said
            log.effects = [_entry(EraseRequested(), None)]
    return kept


def own_log(*, session: AsyncSession, source: str, response: Response, now: datetime) -> InboundLog:
    """A log row of its own kind for effects no inbound message caused: staff typing
    answers in (`assisted`) or the quiet-period timer closing a response (`timer`).

    Its channel is the source, so it never counts as a message from the person (it
    names the response only, not the participant) and is never taken for processing.
    """
    row = InboundLog(
        channel=source,
        external_id=f"{source}-{response.id}-{uuid.uuid4().hex}",
        response_id=response.id,
        replies=[],
        effects=[],
        language=response.language,
        received_at=now,
        processed_at=now,
        status="done",
        kind=source[:10],
    )
    session.add(row)
    return row


def _entry(effect: Effect, response_id: int | None) -> dict[str, Any]:
    return {**effect_to_dict(effect), "response": response_id}


async def _apply(
    session: AsyncSession,
    effects: tuple[Effect, ...],
    response: Response | None,
    participant: Participant | None,
    now: datetime,
    alerts: AlertSettings | None,
) -> bool:
    for effect in effects:
        if response is None:
            if not isinstance(effect, PARTICIPANT_EFFECTS):
                raise ValueError(f"the lobby cannot apply {type(effect).__name__}")
            _apply_to_participant(effect, participant, now)
            continue
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
                await session.execute(
                    _INSERT_STATEMENT,
                    {
                        "response_id": response.id,
                        "programme_id": response.programme_id,
                        "category": category,
                        "position": position,
                        "text": text,
                        "flags": list(flags),
                        "language": response.language,
                        "created_at": now,
                    },
                )
            case Disclosed(category=category, position=position):
                await _open_case(session, effect, response, now, alerts)
            case RemoveStatement(category=category, position=position):
                await _remove_statement(session, response.id, category, position)
            case SetPicks(category=category, positions=positions):
                await _set_picks(session, response.id, category, positions)
            case Completed():
                response.status, response.completed_at = "complete", now
            case Reopened() | Resumed():
                response.status = "active"
            case FollowUp(wanted=wanted):
                response.follow_up = wanted
            case OptedOut() | OptedIn():
                _apply_to_participant(effect, participant, now)
                if isinstance(effect, OptedOut) and response.status == "active":
                    response.status = "partial"
                if isinstance(effect, OptedIn) and response.status == "partial":
                    response.status = "active"
            case Paused():
                if response.status == "active":
                    response.status = "partial"
            case Discarded():
                await session.execute(delete(Statement).where(Statement.response_id == response.id))
                response.perspective = response.segment = None
                response.status, response.completed_at = "active", None
            case Expired():
                response.status = "partial"
            case EraseRequested():
                await _erase(session, response, participant, now)
                return False
    return True


def _apply_to_participant(
    effect: OptedOut | OptedIn, participant: Participant | None, now: datetime
) -> None:
    if participant is None:
        return
    if isinstance(effect, OptedOut):
        participant.opted_out, participant.opted_out_at = True, now
    else:
        participant.opted_out, participant.opted_out_at = False, None


async def _erase(
    session: AsyncSession, response: Response, participant: Participant | None, now: datetime
) -> None:
    programmes: list[str] = []
    if participant is not None:
        erased = await erasure.erase_participant(session=session, participant_id=participant.id)
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


async def replay_response(*, session: AsyncSession, response: Response) -> Replayed:
    """Rebuild `response` from the effects stored in the log, in the order they happened.

    Its effects are on the rows of the messages that answered it, and on the row of
    the message that left it for another programme (paused), which carries the
    person's id; each entry says which response it applied to.
    """
    related = InboundLog.response_id == response.id
    if response.participant_id is not None:
        related = or_(related, InboundLog.participant_id == response.participant_id)
    rows = await session.execute(select(InboundLog.effects).where(related).order_by(InboundLog.id))
    return replay(
        effect_from_dict(entry)
        for (entries,) in rows.all()
        for entry in entries or ()
        if entry.get("response") == response.id
    )


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
    """Replace the category's picks: one DELETE, then one INSERT ... SELECT that finds
    the statements by position and ranks them in the order given (a position with no
    statement, removed since, is left out). Two round trips, however many picks."""
    picks, statements = table(Pick), table(Statement)
    await session.execute(
        delete(picks).where(picks.c.response_id == response_id, picks.c.category == category)
    )
    if not positions:
        return
    ranks: dict[int, int] = {}
    for order, position in enumerate(positions, 1):
        ranks.setdefault(position, order)
    rank = case(ranks, value=statements.c.position)
    await session.execute(
        insert(picks).from_select(
            ["response_id", "statement_id", "category", "rank"],
            select(statements.c.response_id, statements.c.id, statements.c.category, rank).where(
                statements.c.response_id == response_id,
                statements.c.category == category,
                statements.c.position.in_(positions),
            ),
        )
    )
