"""Property tests: whatever a person sends, the engine never raises, stays valid, loses nothing."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import engine
from bot.model import (
    CATEGORIES,
    AddStatement,
    Context,
    Discarded,
    EraseRequested,
    Inbound,
    OptedIn,
    OptedOut,
    RemoveStatement,
    SetPicks,
)
from bot.state import PHASES, State
from tests.support.fuzz import examples

KEYWORDS = [
    "HELP",
    "STOP",
    "START",
    "BACK",
    "SKIP",
    "DONE",
    "RESTART",
    "CHANGE",
    "LANGUAGE",
    "DELETE",
    "YES",
    "NO",
    "yes.",
    " stop ",
    "1",
    "2",
    "3",
    "1 3",
    "2,1",
    "9 9",
    "TICK 1",
    "TICK 2",
    "CONFIRM",
    "PARK",
    "cymraeg",
    "/start",
    "?",
    "👍",
    "",
]

messages = st.one_of(
    st.sampled_from(KEYWORDS),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.builds(lambda n: "x" * n, st.integers(min_value=0, max_value=10_000)),
    st.lists(st.sampled_from(["- a", "* b", "1. c", "2) d", "plain"]), min_size=1, max_size=7).map(
        "\n".join
    ),
    st.text(alphabet="\x00\x01\x1b\r\n\t\u200f\u202e", max_size=10),
)
inputs = st.tuples(
    messages,
    st.sampled_from(["text", "text", "text", "button", "media", "rejoin", "reminder", "expire"]),
    st.none() | st.integers(min_value=0, max_value=60),
)
JOURNEYS = [
    [],
    ["PARK", "YES", "1"],
    ["PARK", "YES", "2", "1"],
    ["PARK", "YES", "1", "a", "b", "c", "DONE"],
    ["PARK", "YES", "1", "a", "DONE", "b", "DONE", "c", "DONE"],
]
"""Ways into the conversation, so random input lands at every step, not only the welcome."""

contexts = st.builds(
    Context,
    code=st.just("PARK"),
    name=st.just("Park"),
    segments=st.sampled_from([(), ("homecare", "day services")]),
    languages=st.sampled_from([("en",), ("en", "cy"), ("cy", "en", "pl", "ur")]),
    max_statements=st.integers(min_value=1, max_value=6),
    can_follow_up=st.booleans(),
)


@settings(max_examples=examples(1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(context=contexts, journey=st.sampled_from(JOURNEYS), tail=st.lists(inputs, max_size=40))
def test_engine_never_raises_and_keeps_every_statement(
    context: Context, journey: list[str], tail: list[tuple[str, str, int | None]]
) -> None:
    """Any sequence of inputs: no exception, a valid JSON state, every statement accounted for."""
    sequence = [(text, "text", None) for text in journey] + tail
    state = None
    opted_out = False
    stored: dict[str, dict[int, str]] = {c: {} for c in CATEGORIES}
    for text, kind, turn in sequence:
        ctx = Context(**{**context.__dict__, "opted_out": opted_out})
        step = engine.step(state, Inbound(text=text, kind=kind, turn=turn), ctx)  # type: ignore[arg-type]
        json.dumps(step.state)  # the state is always storable
        parsed = State.from_dict(step.state)
        assert parsed.phase in PHASES
        for effect in step.effects:
            if isinstance(effect, AddStatement):
                assert effect.text.strip()
                stored[effect.category][effect.position] = effect.text
            elif isinstance(effect, RemoveStatement):
                stored[effect.category].pop(effect.position)
            elif isinstance(effect, Discarded | EraseRequested):
                stored = {c: {} for c in CATEGORIES}
            elif isinstance(effect, SetPicks):
                assert len(effect.positions) <= 2
                assert len(set(effect.positions)) == len(effect.positions)
                assert all(p in stored[effect.category] for p in effect.positions)
            elif isinstance(effect, OptedOut):
                opted_out = True
            elif isinstance(effect, OptedIn):
                opted_out = False
        if opted_out and not any(isinstance(e, OptedOut) for e in step.effects):
            assert step.replies == ()  # after STOP nothing is sent
        for category in CATEGORIES:
            # The engine's own list matches what was stored: positions 1..n, nothing lost.
            assert sorted(stored[category]) == list(range(1, parsed.count(category) + 1))
        state = step.state
