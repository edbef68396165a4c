"""What a channel is lives in one place: its facts (collection/channel_facts.py) and its
adapter (channels/registry.py), and the rest of the code decides by those, never by name."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from channels.registry import ADAPTERS
from collection import channel_facts
from collection.channel_facts import ChannelFacts, facts_for
from collection.intake import InboundMessage
from collection.models import OutboxMessage
from collection.programmes import create_programme
from collection.runtime import Services
from collection.timers import Timers

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)  # 12:00 in London (summer time)
PIGEON = ChannelFacts("pigeon", "Pigeon post", reachable=True, kiosk=False)


def test_every_channel_has_one_adapter_and_every_adapter_serves_known_channels() -> None:
    """A channel with facts but no adapter (or an adapter for a channel with no facts) fails."""
    served = [name for entry in ADAPTERS for name in entry.channels]
    assert sorted(served) == sorted(facts.name for facts in channel_facts.CHANNELS)
    assert len(served) == len(set(served)), "two adapters claim one channel"


def test_an_unknown_channel_gets_the_safe_defaults() -> None:
    """A name nobody declared is never promised a message later and is not invitable."""
    facts = facts_for("carrier-pigeon")
    assert (facts.reachable, facts.kiosk, facts.invitable, facts.replies_queued) == (
        False,
        True,
        False,
        False,
    )
    assert facts.label == "carrier-pigeon"


def test_facts_that_contradict_each_other_are_refused() -> None:
    """A kiosk cannot reach anyone later, and an invitation needs a reachable channel."""
    with pytest.raises(ValueError, match="kiosk"):
        ChannelFacts("x", "X", reachable=True, kiosk=True)
    with pytest.raises(ValueError, match="invitation"):
        ChannelFacts("x", "X", invitable=True)


async def _to_the_summary(services: Services, channel: str) -> list[str]:
    """A whole conversation on `channel`, up to confirming the summary; the last reply keys."""
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK")
    services.intake.clock = lambda: START
    keys: list[str] = []
    for text in ("PARK", "YES", "1", "Going out", "DONE", "The bus", "DONE", "A job", "DONE"):
        result = await services.intake.handle(
            InboundMessage(channel=channel, address="+447700900123", text=text)
        )
        keys = [reply.key for reply in result.replies]
    assert keys == ["summary"]
    result = await services.intake.handle(
        InboundMessage(channel=channel, address="+447700900123", text="YES")
    )
    return [reply.key for reply in result.replies]


async def _reminded(services: Services) -> list[str]:
    """The channel of each reminder queued a day later (the question re-asked not counted)."""
    await Timers(services.sessions).send_reminders(START + timedelta(hours=25))
    async with services.sessions() as session:
        rows = await session.execute(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
        return [row.channel for row in rows.scalars() if row.payload["key"] == "reminder"]


async def _quiet_after_consent(services: Services, channel: str) -> None:
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK")
    services.intake.clock = lambda: START
    for text in ("PARK", "YES", "1", "Going out"):
        await services.intake.handle(
            InboundMessage(channel=channel, address="+447700900123", text=text)
        )


async def test_a_new_reachable_channel_is_asked_to_hear_back(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Declared reachable: the closing question asks whether they want to hear back."""
    monkeypatch.setattr(channel_facts, "CHANNELS", (*channel_facts.CHANNELS, PIGEON))
    assert await _to_the_summary(services, "pigeon") == ["ask_followup"]


async def test_a_new_reachable_channel_gets_reminders(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Declared reachable: someone who went quiet for a day gets a reminder there."""
    monkeypatch.setattr(channel_facts, "CHANNELS", (*channel_facts.CHANNELS, PIGEON))
    await _quiet_after_consent(services, "pigeon")
    assert await _reminded(services) == ["pigeon"]


async def test_an_undeclared_channel_is_not_asked_to_hear_back(services: Services) -> None:
    """Not declared: no hear-back question, since nothing could ever be sent there."""
    assert await _to_the_summary(services, "pigeon") == ["goodbye"]


async def test_an_undeclared_channel_gets_no_reminder(services: Services) -> None:
    """Not declared: someone who went quiet there is not reminded."""
    await _quiet_after_consent(services, "pigeon")
    assert await _reminded(services) == []


CHANNEL_NAMES = frozenset(facts.name for facts in channel_facts.CHANNELS)
OWNERS = {
    "collection/channel_facts.py": "the facts themselves",
    "channels/twilio": "one adapter for two channels tells SMS and WhatsApp apart when rendering",
}


def _literals(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return {value for element in node.elts for value in _literals(element)}
    is_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    if is_call and node.func.id in {"frozenset", "set", "tuple"}:
        return {value for argument in node.args for value in _literals(argument)}
    return set()


def _decisions_by_name(tree: ast.AST) -> list[int]:
    """Lines that compare with a channel name (`== "sms"`, `in ("web", ...)`, `.in_(...)`)
    or keep a collection or mapping of channel names (`KIOSK = {"web", ...}`)."""
    lines = []
    for node in ast.walk(tree):
        named: set[str] = set()
        if isinstance(node, ast.Compare):
            named = {value for side in (node.left, *node.comparators) for value in _literals(side)}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "in_":
                named = {value for argument in node.args for value in _literals(argument)}
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            value = node.value
            if isinstance(value, ast.Dict):
                named = {v for key in value.keys if key is not None for v in _literals(key)}
            elif not isinstance(value, ast.Constant):
                named = _literals(value)
        if named & CHANNEL_NAMES:
            lines.append(node.lineno)
    return lines


def test_no_module_decides_by_a_channel_name() -> None:
    """Behaviour follows the facts: no module outside them compares against a channel's name."""
    offenders = {}
    for layer in ("bot", "collection", "channels", "admin", "wtfc"):
        for path in (ROOT / layer).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "migrations" in path.parts or any(relative.startswith(o) for o in OWNERS):
                continue
            lines = _decisions_by_name(ast.parse(path.read_text(encoding="utf-8")))
            if lines:
                offenders[relative] = lines
    assert offenders == {}


def test_the_name_check_catches_what_it_is_for() -> None:
    """The check above would have caught the constants this registry replaced."""
    for source in (
        'KIOSK_CHANNELS = frozenset({"web", "terminal", "assisted"})',
        'REACHABLE = ("sms", "whatsapp", "telegram")',
        'NAMES = {"sms": "Text message"}',
        'if case.channel in ("web", "terminal"):\n    pass',
        'if channel == "telegram":\n    pass',
        'query.where(Response.channel.in_(("sms", "whatsapp")))',
    ):
        assert _decisions_by_name(ast.parse(source)), source
    assert _decisions_by_name(ast.parse('send(channel="web")')) == []
