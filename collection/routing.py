"""Which response a message belongs to: joining by code, continuing, or the lobby.

A text that is a programme's code joins it (any case); an address already in a
conversation continues it; one address may take part in several programmes over
time. An address with no conversation that sends anything else is in the
"lobby": it is asked for the code, or offered the one programme collecting (or
the programme staff invited it to, which has no poster to read the code from).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keywords
from bot.model import InboundKind, Reply
from collection.models import OutboxMessage, Participant, Programme, Response
from collection.programmes import (
    collecting_programmes,
    get_by_code,
    is_collecting,
    normalise_code,
)

LOBBY_LANGUAGES = ("en", "cy", "pl", "ur")
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass
class Route:
    response: Response | None
    programme: Programme | None
    kind: InboundKind
    collecting: list[Programme]


def new_reference() -> str:
    """A short, unambiguous code staff can read out (no 0/O, 1/I/L)."""
    return "R-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


async def route(
    *,
    session: AsyncSession,
    participant: Participant,
    text: str,
    join_code: str | None,
    kind: InboundKind,
    now: datetime,
) -> Route:
    code = join_code or _looks_like_code(text)
    programme = await get_by_code(session=session, code=code) if code else None
    if programme is not None and programme.status == "draft":
        programme = None
    latest, latest_programme = await _latest_response(session, participant.id)
    if programme is not None:
        existing = await _response_for(session, participant.id, programme.id)
        if existing is not None:
            rejoin: InboundKind = "rejoin" if existing.state else kind
            return Route(existing, programme, rejoin, [])
        if latest is not None and latest.status == "active":
            latest.status = "partial"
        response = Response(
            reference=new_reference(),
            programme_id=programme.id,
            participant_id=participant.id,
            channel=participant.channel,
            language=programme.languages[0] if programme.languages else "en",
            started_at=now,
            last_activity_at=now,
            state={},
        )
        session.add(response)
        await session.flush()
        return Route(response, programme, kind, [])
    if latest is not None:
        return Route(latest, latest_programme, kind, [])
    invited = await _invited_to(session, participant.id, now)
    offer = [invited] if invited is not None else await collecting_programmes(session=session)
    return Route(None, None, kind, offer)


def lobby_replies(found: Route, participant: Participant, text: str) -> tuple[Reply, ...]:
    """Replies for an address that is in no conversation yet (STOP still works here)."""
    keyword = keywords.match_any(text)
    if keyword == "STOP":
        participant.opted_out = True
        return (Reply(key="stopped"),)
    if participant.opted_out:
        if keyword not in ("START", "YES"):  # Twilio's opt-in words: START, YES, UNSTOP
            return ()
        participant.opted_out, participant.opted_out_at = False, None
    if keyword == "HELP":
        return (Reply(key="lobby_help"),)
    if len(found.collecting) == 1:
        only = found.collecting[0]
        return (Reply(key="offer_programme", params=(("name", only.name), ("code", only.code))),)
    return (Reply(key="unknown_sender"),)


def _looks_like_code(text: str) -> str | None:
    """A text that could be a join code. Keywords never are (codes may not be keywords)."""
    candidate = normalise_code(text.strip().rstrip(".!"))
    if not (2 <= len(candidate) <= 20 and candidate.isalnum()):
        return None
    return None if keywords.match_any(text) is not None else candidate


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


async def _latest_response(
    session: AsyncSession, participant_id: int
) -> tuple[Response | None, Programme | None]:
    """The person's most recent response with its programme, in one query."""
    result = await session.execute(
        select(Response, Programme)
        .join(Programme, Programme.id == Response.programme_id)
        .where(Response.participant_id == participant_id)
        .order_by(Response.last_activity_at.desc(), Response.id.desc())
        .limit(1)
    )
    row = result.first()
    return (row[0], row[1]) if row else (None, None)


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
