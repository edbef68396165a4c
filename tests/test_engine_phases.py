"""The engine's phase table: complete, and it is what a person meets.

Every phase has a rule; BACK from each phase lands where its rule says; the
keywords a rule lists are the ones that act in that phase, and any other keyword
is taken as an ordinary answer. All through `engine.step`, as a conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

import pytest

from bot import engine
from bot.engine import PHASE_RULES
from bot.keywords import Keyword
from bot.model import AddStatement, Context, Inbound, Step
from bot.state import ACTIVE_PHASES, PHASES, State

CTX = Context(
    code="PARK",
    name="Park Centre",
    purpose="We want to hear what matters to you.",
    segments=("Day centre", "Home care"),
    languages=("en", "cy"),
)

SUMMARY = ["PARK", "YES", "1", "1", "SKIP", "SKIP", "SKIP"]
PATHS: dict[str, list[str]] = {
    "new": [],
    "consent": ["PARK"],
    "declined": ["PARK", "NO"],
    "perspective": ["PARK", "YES"],
    "segment": ["PARK", "YES", "1"],
    "collect": ["PARK", "YES", "1", "1", "Going to the pub on Fridays"],
    "pick": ["PARK", "YES", "1", "1", "The pub", "The bus", "My carer", "DONE"],
    "summary": SUMMARY,
    "change": [*SUMMARY, "CHANGE"],
    "followup": [*SUMMARY, "YES"],
    "done": [*SUMMARY, "YES", "NO"],
    "erased": ["PARK", "DELETE", "YES"],
}
"""What a person sends to reach each phase."""

ORDINARY = "pineapple"
"""A word that is no keyword, no number and no language's name."""

ENGLISH_WORD: dict[str, str] = {k: k.lower() for k in get_args(Keyword)}


def talk(texts: list[str], state: dict[str, Any] | None = None) -> tuple[dict[str, Any], Step]:
    step = Step(state=state or {})
    for text in texts:
        step = engine.step(state, Inbound(text=text), CTX)
        state = step.state
    return state or {}, step


def reach(phase: str) -> dict[str, Any]:
    state, _ = talk(PATHS[phase])
    assert state.get("phase", "new") == phase
    return state


def question_key(phase: str, state: dict[str, Any]) -> str:
    ask = PHASE_RULES[phase].ask
    assert ask is not None
    return ask(State.from_dict(state), CTX).key


@dataclass(frozen=True)
class Outcome:
    """What a person notices of one message: where they are, what they are told, what is kept."""

    phase: str
    replies: tuple[str, ...]
    effects: tuple[str, ...]


def outcome(step: Step) -> Outcome:
    return Outcome(
        phase=step.state["phase"],
        replies=tuple(r.key for r in step.replies),
        effects=tuple(type(e).__name__ for e in step.effects),
    )


def test_every_phase_has_a_rule_and_a_way_in() -> None:
    assert set(PHASE_RULES) == set(PHASES)
    assert set(PATHS) == set(PHASES)
    for phase in PHASES:
        assert PHASE_RULES[phase].accepts, f"say what {phase} accepts"
        reach(phase)


def test_every_active_phase_asks_a_question() -> None:
    """A reminder or HELP always has something to ask again."""
    for phase in ACTIVE_PHASES:
        assert PHASE_RULES[phase].ask is not None, phase


@pytest.mark.parametrize("phase", [p for p in PHASES if "BACK" in PHASE_RULES[p].keywords])
def test_back_goes_where_the_table_says(phase: str) -> None:
    rule = PHASE_RULES[phase]
    state = reach(phase)
    if rule.undo is not None:
        # First BACK takes back what was last said in this step, and stays.
        if phase == "pick":
            state, _ = talk(["1"], state)
        state, step = talk(["BACK"], state)
        assert step.state["phase"] == phase
        assert step.replies[-1].key == question_key(phase, state)
        if phase == "collect":
            assert step.replies[0].key == "removed_last"
            assert type(step.effects[0]).__name__ == "RemoveStatement"
    before = state
    after, step = talk(["BACK"], before)
    keys = [r.key for r in step.replies]
    if rule.back is None:
        assert after["phase"] == phase
        assert keys == ["nothing_to_undo", question_key(phase, after)]
    elif rule.back == "previous category":
        # From the first category, back to the questions about the person.
        assert before["category"] == "working"
        assert after["phase"] == "segment"
        assert keys[-1] == "ask_segment"
    elif rule.back == "last category":
        assert (after["phase"], after["category"]) == ("collect", "future")
        assert keys[-1] == "ask_future"
    else:
        assert after["phase"] == rule.back
        assert keys[-1] == question_key(rule.back, after)


def test_back_from_a_later_category_goes_to_the_one_before() -> None:
    """Three statements in the first category: BACK from the second is its picks again."""
    state, _ = talk(["PARK", "YES", "1", "1", "The pub", "The bus", "My carer", "DONE", "1 3"])
    assert (state["phase"], state["category"]) == ("collect", "not_working")
    assert PHASE_RULES["collect"].back == "previous category"
    after, step = talk(["BACK"], state)
    assert (after["phase"], after["category"]) == ("pick", "working")
    assert step.replies[-1].key == "ask_pick"


KEYWORDS_EVERYWHERE = ("STOP", "DELETE")
"""Act in every phase, before the table is read (see test_stop_and_delete_act_everywhere)."""


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("keyword", [k for k in get_args(Keyword) if k not in KEYWORDS_EVERYWHERE])
def test_listed_keywords_act_and_others_are_answers(phase: str, keyword: str) -> None:
    rule = PHASE_RULES[phase]
    state = reach(phase)
    ordinary = outcome(talk([ORDINARY], state)[1])
    said = talk([ENGLISH_WORD[keyword]], state)[1]
    if keyword not in rule.keywords:
        assert outcome(said) == ordinary, "a keyword the phase does not list is an answer"
        return
    assert not any(isinstance(e, AddStatement) for e in said.effects)
    asked_again = Outcome(phase, (question_key(phase, state),), ())
    assert outcome(said) != ordinary or outcome(said) == asked_again


@pytest.mark.parametrize("phase", PHASES)
def test_stop_and_delete_act_everywhere(phase: str) -> None:
    state = reach(phase)
    stopped = talk(["STOP"], state)[1]
    assert outcome(stopped).replies == ("stopped",)
    assert outcome(stopped).effects == ("OptedOut",)
    deleting = talk(["DELETE"], state)[1]
    if PHASE_RULES[phase].opens:
        assert outcome(deleting).replies[0] == "welcome"
    else:
        assert outcome(deleting).replies == ("ask_delete",)
