"""What a person's answers add, whoever types them: the conversation or staff at the desk.

Pure. The engine (bot/engine.py) and assisted entry (collection/assisted.py) both
build their statements and picks here, so the rules live once: a statement is
kept with its flags and checked for a disclosure of harm, and in each category
one or two statements are their own picks while more need the person to choose
the two that matter most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot import parsing, safeguarding
from bot.model import (
    CATEGORIES,
    AddStatement,
    Category,
    Completed,
    Consented,
    Disclosed,
    Effect,
    FollowUp,
    SetLanguage,
    SetPerspective,
    SetPicks,
    SetSegment,
)

PICKS = 2
"""How many statements per category are picked as the ones that matter most."""


def own_picks(count: int) -> tuple[int, ...] | None:
    """The picks of a category with `count` statements when there is no choice to make
    (all of them, in order), or None when the person must choose `PICKS` of them."""
    if count > PICKS:
        return None
    return tuple(range(1, count + 1))


def statement_effects(
    category: Category, position: int, text: str, rules: safeguarding.Rules | None
) -> tuple[Effect, ...]:
    """Add one statement (with its flags) and, if it reads as a disclosure, open a case."""
    found = safeguarding.detect(text, rules) if rules is not None else None
    flags = parsing.statement_flags(text) + (("safeguarding",) if found else ())
    added = AddStatement(category, position, text, flags)
    if found is None:
        return (added,)
    return (added, Disclosed(category, position, found.category, found.categories, found.phrase))


@dataclass(frozen=True)
class Entry:
    """One person's answers typed in by staff, already checked against the programme."""

    statements: Mapping[Category, Sequence[str]]
    """Per category, the cleaned statements in the order typed."""
    picks: Mapping[Category, Sequence[int]] = field(default_factory=dict)
    """Per category, the 1-based positions of the two that matter most (used only when
    the category has more than two statements)."""
    perspective: str | None = None
    segment: str | None = None
    language: str = "en"
    consent_version: str = "1"


def assisted_effects(entry: Entry, rules: safeguarding.Rules | None) -> tuple[Effect, ...]:
    """What an assisted entry stores, as the effects a conversation giving the same
    answers would produce: consent, who is answering, statements, picks, completed,
    and no hearing back (nobody can be reached)."""
    effects: list[Effect] = [
        SetLanguage(entry.language),
        Consented(entry.consent_version),
        SetPerspective(entry.perspective),
        SetSegment(entry.segment),
    ]
    for category in CATEGORIES:
        texts = entry.statements.get(category, ())
        for position, text in enumerate(texts, 1):
            effects.extend(statement_effects(category, position, text, rules))
        chosen = own_picks(len(texts))
        if chosen is None:
            chosen = tuple(dict.fromkeys(entry.picks.get(category, ())))
        effects.append(SetPicks(category, chosen))
    effects += [Completed(), FollowUp(False)]
    return tuple(effects)
