"""Every conversation rule, as transcripts run through the pure engine and the real store."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import engine, lobby
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
    Step,
)
from bot.state import State
from collection.intake import InboundMessage
from collection.models import Participant, Pick, Programme, Response, Statement
from collection.programmes import create_programme
from collection.runtime import Services
from tests.support.transcripts import Transcript, all_transcripts, load

CASES = [pytest.param(path, id=path.stem) for path in all_transcripts()]


def _context(
    setup: dict[str, str], opted_out: bool, collecting: bool, code: str | None = None
) -> Context:
    main = setup.get("code", "PARK")
    other = code is not None and code != main
    return Context(
        code=code or main,
        name=_other_name(code) if other and code else setup.get("name", "Park Centre"),
        purpose=setup.get("purpose", "We want to hear what matters to you."),
        segments=()
        if other
        else tuple(s.strip() for s in setup.get("segments", "").split(",") if s.strip()),
        languages=("en",)
        if other
        else tuple(s.strip() for s in setup.get("languages", "en").split(",")),
        max_statements=5 if other else int(setup.get("max_statements", "5")),
        collecting=collecting or other,
        can_follow_up=setup.get("channel", "sms") not in ("web", "terminal"),
        opted_out=opted_out,
    )


def _other_codes(setup: dict[str, str]) -> list[str]:
    """The other programmes a transcript sets up (`@ programmes = FRIENDS, 13`)."""
    return [c.strip().upper() for c in setup.get("programmes", "").split(",") if c.strip()]


def _other_name(code: str) -> str:
    return f"Programme {code}"


@dataclass
class _Store:
    """What the collection would store for one response, rebuilt from the engine's effects."""

    statements: dict[str, dict[int, str]] = field(default_factory=dict)
    picks: dict[str, list[int]] = field(default_factory=dict)
    status: str = "active"
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
                self.status = "partial" if self.status == "active" else self.status
            case OptedIn():
                self.status = "active" if self.status == "partial" else self.status
            case Discarded():
                self.statements, self.picks, self.status = {}, {}, "active"
            case EraseRequested():
                self.statements, self.picks, self.erased = {}, {}, True


@dataclass
class _Person:
    """One address as the pure parts see it: a response per programme, routed by bot/lobby."""

    setup: dict[str, str]
    stores: dict[str, _Store] = field(default_factory=dict)
    states: dict[str, dict[str, object]] = field(default_factory=dict)
    current: str | None = None
    opted_out: bool = False
    erased: bool = False
    closed: bool = False

    def names(self) -> dict[str, str]:
        main = self.setup.get("code", "PARK")
        found = {main: self.setup.get("name", "Park Centre")}
        found.update({code: _other_name(code) for code in _other_codes(self.setup)})
        return found

    def send(self, text: str, kind: str, turn: int | None) -> Step:
        names = self.names()
        main = self.setup.get("code", "PARK")
        current = None
        if self.current is not None:
            state = self.states.get(self.current) or {}
            active = (
                bool(state)
                and State.from_dict(state).active
                and self.stores[self.current].status == "active"
                and not (self.closed and self.current == main)
            )
            current = lobby.Current(self.current, names[self.current], active)
        join_code = text if kind == "link" else None
        asked = lobby.asked_code(text, join_code, current)
        found = None
        if asked is not None and asked.code in names:
            started = bool(self.states.get(asked.code))
            found = lobby.Found(asked.code, names[asked.code], started)
        door = lobby.choose(current=current, asked=asked, found=found, opted_out=self.opted_out)
        if door.pause_current and self.current is not None:
            left = self.stores[self.current]
            left.status = "partial" if left.status == "active" else left.status
        if door.way == "lobby":
            offers = tuple(
                lobby.Offer(code, name)
                for code, name in names.items()
                if not (code == main and self.closed)
            )
            step = lobby.lobby_step(text, opted_out=self.opted_out, offers=offers)
            self._opt(step.effects)
            return Step(state={}, replies=step.replies, effects=step.effects)
        code = self.current if door.way == "continue" else (found.code if found else None)
        assert code is not None
        self.current = code
        inbound_kind = "rejoin" if door.way == "resume" else ("text" if kind == "link" else kind)
        context = _context(self.setup, self.opted_out, not self.closed, code)
        result = engine.step(
            self.states.get(code),
            Inbound(text=text, kind=inbound_kind, turn=turn),  # type: ignore[arg-type]
            context,
        )
        if result.stale:
            return result
        self.states[code] = result.state
        store = self.stores.setdefault(code, _Store())
        for effect in result.effects:
            store.apply(effect)
        self._opt(result.effects)
        if State.from_dict(result.state).active and store.status == "partial":
            store.status = "active" if not self.opted_out else store.status  # as intake does
        if any(isinstance(e, EraseRequested) for e in result.effects):
            self.stores, self.states, self.current, self.erased = {}, {}, None, True
        return Step(
            state=result.state, replies=door.replies + result.replies, effects=result.effects
        )

    def _opt(self, effects: tuple[Effect, ...]) -> None:
        for effect in effects:
            if isinstance(effect, OptedOut):
                self.opted_out = True
            elif isinstance(effect, OptedIn):
                self.opted_out = False

    def check(self, where: str, check: str) -> None:
        store = self.stores.get(self.current or "", _Store())
        status = store.status if self.current is not None else "none"
        _check(
            where,
            check,
            store.statements,
            store.picks,
            status,
            self.opted_out,
            self.erased,
            self.current or "none",
            {code: s.status for code, s in self.stores.items()},
        )


def _check(
    where: str,
    check: str,
    statements: dict[str, dict[int, str]],
    picks: dict[str, list[int]],
    status: str,
    opted_out: bool,
    erased: bool,
    programme: str,
    statuses: dict[str, str],
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
    elif what == "programme":
        assert programme == args, f"{where}: {check} (was {programme})"
    elif what == "status_in":
        code, expected = args.split()
        assert statuses.get(code) == expected, f"{where}: {check} (was {statuses.get(code)})"
    else:
        raise AssertionError(f"{where}: unknown check {check}")


@pytest.mark.parametrize("path", CASES)
def test_transcript_on_the_pure_engine(path: Path) -> None:
    """The pure lobby and engine alone give the replies and effects the transcript expects."""
    transcript = load(path)
    person = _Person(transcript.setup)
    last = None
    for line in transcript.lines:
        where = f"{path.name}:{line.number}"
        if line.kind == "send":
            last = person.send(line.value, line.input_kind, line.turn)
        elif line.kind == "close":
            person.closed = True
        elif line.kind == "replies":
            assert last is not None
            assert [r.key for r in last.replies] == line.value.split(), where
        elif line.kind == "effects":
            assert last is not None
            assert [type(e).__name__ for e in last.effects] == line.value.split(), where
        elif line.kind == "check":
            person.check(where, line.value)


async def _stored(
    services: Services, address_hash: str, programme_id: int
) -> tuple[dict[str, dict[int, str]], dict[str, list[int]], str, bool, bool, str, dict[str, str]]:
    """What the store holds for the address: its latest response (as routing finds it)."""
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
            return {}, {}, "gone", False, not left, "none", {}
        rows = (
            await session.execute(
                select(Response, Programme.code)
                .join(Programme, Programme.id == Response.programme_id)
                .where(Response.participant_id == participant.id)
                .order_by(Response.last_activity_at.desc(), Response.id.desc())
            )
        ).all()
        statuses = {code: response.status for response, code in rows}
        if not rows:
            return {}, {}, "none", participant.opted_out, False, "none", statuses
        response, code = rows[0]
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
        return statements, picks, response.status, participant.opted_out, False, code, statuses


async def _make_programme(services: Services, transcript: Transcript) -> Programme:
    setup = transcript.setup
    async with services.sessions() as session, session.begin():
        for code in _other_codes(setup):
            # Inserted as rows, not through create_programme: they stand for programmes
            # made before codes were restricted (a code `13` cannot be created today).
            session.add(
                Programme(
                    name=_other_name(code),
                    code=code,
                    purpose="We want to hear what matters to you.",
                    level="service",
                    languages=["en"],
                    segments=[],
                    status="collecting",
                    export_seed=1,
                )
            )
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
            link = line.input_kind == "link"
            last = await services.intake.handle(
                InboundMessage(
                    channel=channel,
                    address=address,
                    text=line.value,
                    kind="text" if link else line.input_kind,  # type: ignore[arg-type]
                    turn=line.turn,
                    join_code=line.value if link else None,
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
