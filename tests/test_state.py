"""The conversation state's JSON form: every field, and copies (not the state's own lists)."""

from __future__ import annotations

from dataclasses import asdict

from bot.state import State


def a_state_in_the_middle_of_a_conversation() -> State:
    return State(
        phase="pick",
        category="working",
        statements={"working": ["the bus", "my carer"], "not_working": ["forms"], "future": []},
        picks={"working": [2], "not_working": [], "future": []},
        first_pick=2,
        ticked=[1, 2],
        perspective="carer",
        segment="north",
        language="cy",
        aside="restart",
        changing=True,
        completed=False,
        safeguarding_told=True,
        turn=7,
    )


def test_to_dict_holds_every_field_as_dataclasses_would() -> None:
    state = a_state_in_the_middle_of_a_conversation()
    assert state.to_dict() == asdict(state)
    assert State.from_dict(state.to_dict()) == state


def test_changing_the_stored_form_does_not_change_the_state() -> None:
    state = a_state_in_the_middle_of_a_conversation()
    stored = state.to_dict()
    stored["statements"]["working"].append("something else")
    stored["picks"]["working"].append(1)
    stored["ticked"].append(3)
    assert state.statements["working"] == ["the bus", "my carer"]
    assert state.picks["working"] == [2]
    assert state.ticked == [1, 2]
