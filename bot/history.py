"""Effects as a history: stored with each message, replayed to rebuild a response.

Pure. Every change to what a person told us (their statements, picks, the
response's status and language) is an effect; the caller stores each message's
effects with its log entry (collection/effects.py), so the history of a response
can be audited and `replay` rebuilds it from that history alone.

`bookkeeping` is where the two changes no engine step asks for are decided, so
they too are effects: the response's language following the conversation's, and
a partial response becoming active again when the person answers it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot import model
from bot.model import (
    Category,
    Completed,
    Consented,
    Declined,
    Discarded,
    Effect,
    EraseRequested,
    Expired,
    FollowUp,
    OptedIn,
    OptedOut,
    Paused,
    RemoveStatement,
    Reopened,
    Resumed,
    SetLanguage,
    SetPerspective,
    SetPicks,
    SetSegment,
)
from bot.state import ACTIVE_PHASES

_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        model.Consented,
        model.Declined,
        model.SetPerspective,
        model.SetSegment,
        model.SetLanguage,
        model.AddStatement,
        model.Disclosed,
        model.RemoveStatement,
        model.SetPicks,
        model.Completed,
        model.Reopened,
        model.FollowUp,
        model.OptedOut,
        model.OptedIn,
        model.Discarded,
        model.EraseRequested,
        model.Expired,
        model.Paused,
        model.Resumed,
    )
}


def effect_to_dict(effect: Effect) -> dict[str, Any]:
    """A JSON-friendly form: the effect's name and fields (tuples as lists)."""
    fields = {
        f.name: list(value) if isinstance(value, tuple) else value
        for f in dataclasses.fields(effect)
        for value in (getattr(effect, f.name),)
    }
    return {"type": type(effect).__name__, **fields}


def effect_from_dict(data: Mapping[str, Any]) -> Effect:
    """The effect `effect_to_dict` wrote (keys it does not know, like `response`, ignored)."""
    cls = _TYPES[str(data["type"])]
    kwargs = {
        f.name: tuple(data[f.name]) if isinstance(data[f.name], list) else data[f.name]
        for f in dataclasses.fields(cls)
        if f.name in data
    }
    effect: Effect = cls(**kwargs)
    return effect


def bookkeeping(
    *,
    first_step: bool,
    language: str,
    status: str,
    state: Mapping[str, object],
    effects: tuple[Effect, ...],
    opted_out: bool,
) -> tuple[Effect, ...]:
    """The effects to apply before a step's own, for a response in `language` and
    `status` whose conversation is now in `state`.

    The response's language follows the conversation's (set on its first step, and
    whenever the engine settles on another one without saying so, as when a
    programme drops a language); a partial response the person answers again is
    active, unless they said STOP.
    """
    implied: list[Effect] = []
    now_language = str(state.get("language", language))
    said = any(isinstance(e, SetLanguage) for e in effects)
    if not said and (first_step or now_language != language):
        implied.append(SetLanguage(now_language))
    if state.get("phase") in ACTIVE_PHASES and status == "partial" and not opted_out:
        implied.append(Resumed())
    return tuple(implied)


@dataclass
class Replayed:
    """A response as its effects leave it (what collection/effects.py stores)."""

    status: str = "active"
    language: str | None = None
    perspective: str | None = None
    segment: str | None = None
    follow_up: bool | None = None
    consent_version: str | None = None
    statements: dict[tuple[Category, int], tuple[str, str | None, tuple[str, ...]]] = field(
        default_factory=dict
    )
    """(category, position) -> (text, language, flags)."""
    picks: dict[Category, tuple[int, ...]] = field(default_factory=dict)
    """Category -> picked positions in rank order (only categories with picks)."""
    erased: bool = False


def replay(effects: Iterable[Effect]) -> Replayed:
    """Rebuild a response from its effects in order, exactly as they were applied."""
    r = Replayed()
    for effect in effects:
        match effect:
            case Consented(version=version):
                r.consent_version = version
            case Declined():
                r.status = "declined"
            case SetPerspective(perspective=perspective):
                r.perspective = perspective
            case SetSegment(segment=segment):
                r.segment = segment
            case SetLanguage(language=language):
                r.language = language
            case model.AddStatement(category=category, position=position, text=text, flags=flags):
                r.statements[(category, position)] = (text, r.language, tuple(flags))
            case RemoveStatement(category=category, position=position):
                r.statements.pop((category, position), None)
                _drop_pick(r, category, position)
            case SetPicks(category=category, positions=positions):
                kept = tuple(p for p in positions if (category, p) in r.statements)
                if kept:
                    r.picks[category] = kept
                else:
                    r.picks.pop(category, None)
            case Completed():
                r.status = "complete"
            case Reopened() | Resumed():
                r.status = "active"
            case FollowUp(wanted=wanted):
                r.follow_up = wanted
            case OptedOut() | Paused():
                if r.status == "active":
                    r.status = "partial"
            case OptedIn():
                if r.status == "partial":
                    r.status = "active"
            case Discarded():
                r.statements.clear()
                r.picks.clear()
                r.perspective = r.segment = None
                r.status = "active"
            case Expired():
                r.status = "partial"
            case EraseRequested():
                return Replayed(erased=True)
    return r


def _drop_pick(r: Replayed, category: Category, position: int) -> None:
    """A removed statement's pick goes with it (its row is deleted, the pick cascades)."""
    if category in r.picks:
        kept = tuple(p for p in r.picks[category] if p != position)
        if kept:
            r.picks[category] = kept
        else:
            r.picks.pop(category)
