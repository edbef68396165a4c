"""Every conversation rule, as transcripts run through the pure engine and the real store."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import engine
from bot.model import (
    AddStatement,
    Completed,
    Context,
    Declined,
    Discarded,
    Effect,
    EraseRequested,
    Inbound,
    OptedIn,
    OptedOut,
    RemoveStatement,
    Reopened,
    SetPicks,
)
from collection.intake import InboundMessage
from collection.models import Participant, Pick, Programme, Response, Statement
from collection.programmes import create_programme
from collection.runtime import Services
from tests.transcript_runner import Transcript, all_transcripts, load

CASES = [pytest.param(path, id=path.stem) for path in all_transcripts()]


def _context(setup: dict[str, str], opted_out: bool, collecting: bool) -> Context:
    return Context(
        code=setup.get("code", "PARK"),
        name=setup.get("name", "Park Centre"),
        purpose=setup.get("purpose", "We want to hear what matters to you."),
        segments=tuple(s.strip() for s in setup.get("segments", "").split(",") if s.strip()),
        languages=tuple(s.strip() for s in setup.get("languages", "en").split(",")),
        max_statements=int(setup.get("max_statements", "5")),
        collecting=collecting,
        can_follow_up=setup.get("channel", "sms") not in ("web", "terminal"),
        opted_out=opted_out,
    )


@dataclass
class _Store:
    """What the collection would store, rebuilt from the engine's effects."""

    statements: dict[str, dict[int, str]] = field(default_factory=dict)
    picks: dict[str, list[int]] = field(default_factory=dict)
    status: str = "active"
    opted_out: bool = False
    erased: bool = False

    def apply(self, effect: Effect) -> None:
        match effect:
            case AddStatement(category=c, position=p, text=t):
                self.statements.setdefault(c, {})[p] = t
            case RemoveStatement(category=c, position=p):
                self.statements.get(c, {}).pop(p, None)
            case SetPicks(category=c, positions=ps):
                self.picks[c] = list(ps)
            case Completed():
                self.status = "complete"
            case Reopened():
                self.status = "active"
            case Declined():
                self.status = "declined"
            case OptedOut():
                self.opted_out = True
                self.status = "partial" if self.status == "active" else self.status
            case OptedIn():
                self.opted_out = False
                self.status = "active" if self.status == "partial" else self.status
            case Discarded():
                self.statements, self.picks, self.status = {}, {}, "active"
            case EraseRequested():
                self.statements, self.picks, self.erased = {}, {}, True


def _check(
    where: str,
    check: str,
    statements: dict[str, dict[int, str]],
    picks: dict[str, list[int]],
    status: str,
    opted_out: bool,
    erased: bool,
) -> None:
    what, *rest = check.split(maxsplit=1)
    args = rest[0] if rest else ""
    if what == "statements":
        category, count = args.split()
        assert len(statements.get(category, {})) == int(count), f"{where}: {check}"
    elif what == "text":
        category, position, text = args.split(maxsplit=2)
        assert statements.get(category, {}).get(int(position)) == text, f"{where}: {check}"
    elif what == "picks":
        category, *numbers = args.split()
        assert picks.get(category, []) == [int(n) for n in numbers], f"{where}: {check}"
    elif what == "status":
        assert status == args, f"{where}: {check} (was {status})"
    elif what == "opted_out":
        assert opted_out == (args == "yes"), f"{where}: {check}"
    elif what == "erased":
        assert erased == (args == "yes"), f"{where}: {check}"
    else:
        raise AssertionError(f"{where}: unknown check {check}")


@pytest.mark.parametrize("path", CASES)
def test_transcript_on_the_pure_engine(path: Path) -> None:
    """The engine alone gives the replies and effects the transcript expects."""
    transcript = load(path)
    store, state, collecting = _Store(), None, True
    last = None
    for line in transcript.lines:
        where = f"{path.name}:{line.number}"
        if line.kind == "send":
            context = _context(transcript.setup, store.opted_out, collecting)
            inbound = Inbound(
                text=line.value,
                kind=line.input_kind,  # type: ignore[arg-type]
                turn=line.turn,
            )
            last = engine.step(state, inbound, context)
            state = last.state
            for effect in last.effects:
                store.apply(effect)
        elif line.kind == "close":
            collecting = False
        elif line.kind == "replies":
            assert last is not None
            assert [r.key for r in last.replies] == line.value.split(), where
        elif line.kind == "effects":
            assert last is not None
            assert [type(e).__name__ for e in last.effects] == line.value.split(), where
        elif line.kind == "check":
            _check(
                where,
                line.value,
                store.statements,
                store.picks,
                store.status,
                store.opted_out,
                store.erased,
            )


async def _stored(
    services: Services, address_hash: str, programme_id: int
) -> tuple[dict[str, dict[int, str]], dict[str, list[int]], str, bool, bool]:
    async with services.sessions() as session:
        participant = (
            await session.execute(
                select(Participant).where(Participant.address_hash == address_hash)
            )
        ).scalar_one_or_none()
        if participant is None:
            left = (
                (
                    await session.execute(
                        select(Statement).where(Statement.programme_id == programme_id)
                    )
                )
                .scalars()
                .all()
            )
            return {}, {}, "gone", False, not left
        response = (
            await session.execute(
                select(Response)
                .where(Response.participant_id == participant.id)
                .order_by(Response.id.desc())
                .limit(1)
            )
        ).scalar_one()
        statements: dict[str, dict[int, str]] = {}
        positions: dict[int, tuple[str, int]] = {}
        for row in (
            await session.execute(select(Statement).where(Statement.response_id == response.id))
        ).scalars():
            statements.setdefault(row.category, {})[row.position] = row.text
            positions[row.id] = (row.category, row.position)
        picks: dict[str, list[int]] = {}
        for pick in (
            await session.execute(
                select(Pick).where(Pick.response_id == response.id).order_by(Pick.rank)
            )
        ).scalars():
            category, position = positions[pick.statement_id]
            picks.setdefault(category, []).append(position)
        return statements, picks, response.status, participant.opted_out, False


async def _make_programme(services: Services, transcript: Transcript) -> Programme:
    setup = transcript.setup
    async with services.sessions() as session, session.begin():
        return await create_programme(
            session=session,
            name=setup.get("name", "Park Centre"),
            code=setup.get("code", "PARK"),
            purpose=setup.get("purpose", "We want to hear what matters to you."),
            segments=[
                {"name": s.strip(), "target": 10}
                for s in setup.get("segments", "").split(",")
                if s.strip()
            ],
            languages=[s.strip() for s in setup.get("languages", "en").split(",")],
            max_statements=int(setup.get("max_statements", "5")),
        )


@pytest.mark.parametrize("path", CASES)
async def test_transcript_through_the_store(path: Path, services: Services) -> None:
    """The same conversation through the one-transaction intake stores what it should."""
    transcript = load(path)
    programme = await _make_programme(services, transcript)
    channel = transcript.setup.get("channel", "sms")
    address = f"+4477009{uuid.uuid4().int % 100000:05d}"
    address_hash = services.vault.lookup_hash(address)
    last = None
    for line in transcript.lines:
        where = f"{path.name}:{line.number}"
        if line.kind == "send":
            last = await services.intake.handle(
                InboundMessage(
                    channel=channel,
                    address=address,
                    text=line.value,
                    kind=line.input_kind,
                    turn=line.turn,  # type: ignore[arg-type]
                )
            )
        elif line.kind == "close":
            async with services.sessions() as session, session.begin():
                (await session.get(Programme, programme.id)).status = "closed"  # type: ignore[union-attr]
        elif line.kind == "replies":
            assert last is not None
            assert [r.key for r in last.replies] == line.value.split(), where
        elif line.kind == "check":
            stored = await _stored(services, address_hash, programme.id)
            _check(where, line.value, *stored)
