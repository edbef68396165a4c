"""Which response a message belongs to: joining by code, continuing, or the lobby.

The decision is bot/lobby.py's (pure): this module looks up what it needs (the
person's latest conversation, the programme a code names, what the lobby may
offer) and finds or opens the response the message goes to. It changes nothing
a person told us: the conversation left is paused by the caller, with a `Paused`
effect. In short: a code is a code from the lobby, a deep link or the kiosk
page; in a conversation only `JOIN CODE` is, so no answer ever changes
programme. One address may take part in several programmes over time. An
address with no conversation that sends anything else is in the "lobby": it is
asked for the code, or offered the one programme collecting (or the programme
staff invited it to, which has no poster to read the code from).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import lobby
from bot.model import InboundKind, Reply
from bot.state import State
from collection.models import OutboxMessage, Participant, Programme, Response
from collection.programmes import collecting_programmes, get_by_code, is_collecting

LOBBY_LANGUAGES = ("en", "cy", "pl", "ur")
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass
class Route:
    response: Response | None
    programme: Programme | None
    kind: InboundKind
    offers: tuple[lobby.Offer, ...] = ()
    """For the lobby: the programmes it could offer (the invited one, or every one
    collecting); the lobby names a programme only when there is exactly one."""
    told: tuple[Reply, ...] = ()
    """Said before the engine's replies: what happened to the conversation left."""
    left: Response | None = None
    """The conversation this message leaves for another programme: the caller pauses
    it (a `Paused` effect), since routing only decides and writes nothing itself."""


def new_reference() -> str:
    """A short, unambiguous code staff can read out (no 0/O, 1/I/L)."""
    return "R-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


REFERENCE_DRAWS = 10


async def free_reference(session: AsyncSession) -> str:
    """A new reference that no response has yet.

    There are 31^6 (about 890 million) references, unique across programmes, so by
    the time a database holds 5,000 responses one draw was taken with a chance of about
    1 in 70 (the birthday bound), and twice running never in practice. An insert with a
    taken reference failed, and the person's first message was set aside unanswered (a
    bench run met one): so each draw is looked up first (one indexed read, once per
    conversation)."""
    for _ in range(REFERENCE_DRAWS):
        reference = new_reference()
        taken = await session.scalar(select(Response.id).where(Response.reference == reference))
        if taken is None:
            return reference
    raise RuntimeError(f"{REFERENCE_DRAWS} references drawn were all taken")


@dataclass(frozen=True)
class Latest:
    """The person's most recent conversation, read once per message (see `latest`)."""

    response: Response | None
    programme: Programme | None
    candidate: str | None
    """What the text would be as a code (`lobby.looks_like_code`), if it could be one."""
    names_a_programme: bool
    """Whether `candidate` is any programme's code."""


async def latest(session: AsyncSession, participant_id: int, text: str) -> Latest:
    """The person's most recent response with its programme, and whether the text is a
    programme's code, in one query (the intake reads it before the feedback check too)."""
    candidate = lobby.looks_like_code(text)
    response, programme, names_a_programme = await _latest_response(
        session, participant_id, candidate
    )
    return Latest(response, programme, candidate, names_a_programme)


async def route(
    *,
    session: AsyncSession,
    participant: Participant,
    text: str,
    join_code: str | None,
    kind: InboundKind,
    now: datetime,
    known: Latest | None = None,
) -> Route:
    """Where this message goes. `known` is `latest` read for this message already."""
    if known is None:
        known = await latest(session, participant.id, text)
    latest_response, latest_programme = known.response, known.programme
    candidate, names_a_programme = known.candidate, known.names_a_programme
    current = None
    if latest_response is not None and latest_programme is not None:
        active = (
            bool(latest_response.state)
            and State.from_dict(latest_response.state).active
            and latest_response.status == "active"
            and is_collecting(latest_programme, now)
        )
        current = lobby.Current(latest_programme.code, latest_programme.name, active)
    invited_code = None
    if (
        current is not None
        and current.active
        and candidate not in (None, current.code)
        and names_a_programme
    ):
        # Only a programme's code can be the one an invitation named: a statement that
        # merely looks like a code ("Cooking my own tea") costs no look-up of invitations.
        invited_code = await _invited_code(session, participant.id, now)
    asked = lobby.asked_code(text, join_code, current, invited_code)
    programme = await get_by_code(session=session, code=asked.code) if asked else None
    if programme is not None and programme.status == "draft":
        programme = None
    existing = None
    found = None
    if programme is not None:
        existing = await _response_for(session, participant.id, programme.id)
        started = existing is not None and bool(existing.state)
        found = lobby.Found(programme.code, programme.name, started)
    door = lobby.choose(current=current, asked=asked, found=found, opted_out=participant.opted_out)
    left = latest_response if door.pause_current else None
    if door.way == "continue":
        return Route(latest_response, latest_programme, kind)
    if door.way == "lobby":
        invited = await _invited_to(session, participant.id, now)
        offer = [invited] if invited is not None else await collecting_programmes(session=session)
        offers = tuple(lobby.Offer(p.code, p.name) for p in offer)
        return Route(None, None, kind, offers=offers)
    assert programme is not None
    if door.way == "resume" and existing is not None:
        return Route(existing, programme, "rejoin", told=door.replies, left=left)
    if existing is None:
        existing = Response(
            reference=await free_reference(session),
            programme_id=programme.id,
            participant_id=participant.id,
            channel=participant.channel,
            language=programme.languages[0] if programme.languages else "en",
            started_at=now,
            last_activity_at=now,
            state={},
        )
        session.add(existing)
        await session.flush()
    return Route(existing, programme, kind, told=door.replies, left=left)


async def _invited_to(
    session: AsyncSession, participant_id: int, now: datetime
) -> Programme | None:
    """The collecting programme of the latest staff invitation to this address, if any."""
    result = await session.execute(
        select(OutboxMessage.payload)
        .where(
            OutboxMessage.participant_id == participant_id,
            OutboxMessage.kind == "invite",
            OutboxMessage.status != "cancelled",
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    payload = result.scalar_one_or_none()
    code = dict(payload.get("params", [])).get("code") if payload else None
    programme = await get_by_code(session=session, code=str(code)) if code else None
    return programme if programme is not None and is_collecting(programme, now) else None


async def _invited_code(session: AsyncSession, participant_id: int, now: datetime) -> str | None:
    """The code of a collecting programme staff invited this address to and it has not
    joined yet: its reply to the invitation is honoured even mid-conversation."""
    programme = await _invited_to(session, participant_id, now)
    if programme is None or await _response_for(session, participant_id, programme.id):
        return None
    return programme.code


def _latest_statement(with_candidate: bool) -> Select[Response, Programme, bool]:
    named = aliased(Programme)
    is_a_code = (
        exists().where(named.code == bindparam("candidate")) if with_candidate else literal(False)
    )
    return (
        select(Response, Programme, is_a_code)
        .join(Programme, Programme.id == Response.programme_id)
        .where(Response.participant_id == bindparam("participant_id"))
        .order_by(Response.last_activity_at.desc(), Response.id.desc())
        .limit(1)
    )


_LATEST = {True: _latest_statement(True), False: _latest_statement(False)}
"""Built once: building the query was a tenth of a worker's step (issue 17's profile)."""


async def _latest_response(
    session: AsyncSession, participant_id: int, candidate: str | None
) -> tuple[Response | None, Programme | None, bool]:
    """The person's most recent response with its programme, and whether `candidate`
    (what the text would be as a code) is any programme's code, in one query."""
    parameters: dict[str, object] = {"participant_id": participant_id}
    if candidate is not None:
        parameters["candidate"] = candidate
    result = await session.execute(_LATEST[candidate is not None], parameters)
    row = result.first()
    return (row[0], row[1], bool(row[2])) if row else (None, None, False)


async def _response_for(
    session: AsyncSession, participant_id: int, programme_id: int
) -> Response | None:
    result = await session.execute(
        select(Response)
        .where(Response.participant_id == participant_id, Response.programme_id == programme_id)
        .order_by(Response.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()
