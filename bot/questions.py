"""The question each step of the conversation asks, as a reply for a channel to draw.

Pure: each function reads the state and the programme's context and returns the
`Reply` (message key, numbered lists, buttons). The engine's phase table
(bot/engine.py, `PHASE_RULES`) says which of these a phase asks.
"""

from __future__ import annotations

from bot.messages import LANGUAGE_NAMES
from bot.model import CATEGORIES, Button, Context, Group, Reply
from bot.state import State

DONE_SKIP = (Button("btn_done", "DONE"), Button("btn_skip", "SKIP"))


def yes_no(key: str) -> Reply:
    return Reply(key=key, buttons=(Button("btn_yes", "YES"), Button("btn_no", "NO")))


def consent(state: State, ctx: Context) -> Reply:
    return yes_no("ask_consent")


def perspective(state: State, ctx: Context) -> Reply:
    return Reply(
        key="ask_perspective", buttons=(Button("btn_myself", "1"), Button("btn_carer", "2"))
    )


def segment(state: State, ctx: Context) -> Reply:
    return Reply(
        key="ask_segment",
        groups=(Group(items=ctx.segments),),
        buttons=tuple(Button(s, str(i), literal=True) for i, s in enumerate(ctx.segments, 1)),
    )


def statements(state: State, ctx: Context) -> Reply:
    return Reply(key=f"ask_{state.current_category}", buttons=DONE_SKIP)


def pick(state: State, ctx: Context, key: str = "ask_pick", edit: bool = False) -> Reply:
    items = tuple(state.statements[state.current_category])
    buttons = tuple(Button(item, f"TICK {i}", literal=True) for i, item in enumerate(items, 1))
    return Reply(
        key=key,
        groups=(Group(items=items),),
        buttons=(*buttons, Button("btn_confirm", "CONFIRM")),
        ticked=tuple(state.ticked),
        edit=edit,
    )


def summary(state: State, ctx: Context) -> Reply:
    groups = []
    for category in CATEGORIES:
        chosen = tuple(
            state.statements[category][n - 1]
            for n in state.picks[category]
            if n <= state.count(category)
        )
        groups.append(Group(items=chosen, label=f"label_{category}"))
    return Reply(
        key="summary",
        groups=tuple(groups),
        footer="ask_confirm",
        buttons=(Button("btn_yes", "YES"), Button("btn_change", "CHANGE")),
    )


def change(state: State, ctx: Context) -> Reply:
    return Reply(
        key="ask_change",
        buttons=tuple(Button(f"label_{c}", str(i)) for i, c in enumerate(CATEGORIES, 1)),
    )


def followup(state: State, ctx: Context) -> Reply:
    return yes_no("ask_followup")


def already_done(state: State, ctx: Context) -> Reply:
    return Reply(key="already_done")


def statement_list(state: State) -> Reply:
    """What the person has said in the current category, numbered."""
    return Reply(
        key="you_said", groups=(Group(items=tuple(state.statements[state.current_category])),)
    )


def language_menu(ctx: Context) -> Reply:
    names = tuple(LANGUAGE_NAMES.get(code, code) for code in ctx.languages)
    return Reply(
        key="ask_language",
        groups=(Group(items=names),),
        buttons=tuple(
            Button(label=name, value=str(i), literal=True) for i, name in enumerate(names, 1)
        ),
    )
