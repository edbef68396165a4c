"""The engine with safeguarding rules in its context: pure, no I/O, as any other step."""

from __future__ import annotations

from typing import Any

from bot import engine
from bot.model import AddStatement, Context, Disclosed, Inbound
from collection.safeguarding.rules import shipped_rules

CONTEXT = Context(
    code="PARK", name="Park", safeguarding=shipped_rules(), safeguarding_help="Call Park."
)


def _collecting(context: Context = CONTEXT) -> dict[str, Any]:
    state: dict[str, Any] | None = None
    for text in ("hello", "YES", "1"):
        state = engine.step(state, Inbound(text=text), context).state
    assert state is not None and state["phase"] == "collect"
    return state


def test_a_disclosure_is_stored_flagged_and_reported_as_an_effect() -> None:
    """The statement is added with the safeguarding flag, then a Disclosed effect follows."""
    step = engine.step(_collecting(), Inbound(text="he kicks me at night"), CONTEXT)
    added, disclosed = step.effects
    assert isinstance(added, AddStatement) and "safeguarding" in added.flags
    assert isinstance(disclosed, Disclosed)
    assert (disclosed.category, disclosed.position, disclosed.kind) == ("working", 1, "physical")
    assert [r.key for r in step.replies] == ["safeguarding_help", "got_statement"]
    assert dict(step.replies[0].params) == {"centre": "Call Park."}


def test_help_is_said_once_per_conversation() -> None:
    """A second disclosure opens a second case but the help is not repeated."""
    first = engine.step(_collecting(), Inbound(text="he kicks me at night"), CONTEXT)
    second = engine.step(first.state, Inbound(text="I wish I was dead"), CONTEXT)
    assert any(isinstance(e, Disclosed) for e in second.effects)
    assert [r.key for r in second.replies] == ["got_statement"]


def test_each_line_of_a_numbered_list_is_checked() -> None:
    """Two numbered statements in one message: the second is the disclosure."""
    step = engine.step(
        _collecting(), Inbound(text="1. the garden\n2. my son takes my pension"), CONTEXT
    )
    disclosed = [e for e in step.effects if isinstance(e, Disclosed)]
    assert [(d.position, d.kind) for d in disclosed] == [(2, "financial")]


def test_an_ordinary_statement_changes_nothing() -> None:
    step = engine.step(_collecting(), Inbound(text="the quiz was killing me"), CONTEXT)
    assert not any(isinstance(e, Disclosed) for e in step.effects)
    assert [r.key for r in step.replies] == ["got_statement"]


def test_without_rules_nothing_is_checked() -> None:
    """A context with no rules (the default) detects nothing: the caller decides."""
    plain = Context(code="PARK", name="Park")
    step = engine.step(_collecting(plain), Inbound(text="he kicks me at night"), plain)
    assert not any(isinstance(e, Disclosed) for e in step.effects)
