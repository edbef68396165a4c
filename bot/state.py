"""The conversation state: a small JSON value stored on the response row."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

from bot.model import CATEGORIES, Category

Phase = Literal[
    "new",
    "consent",
    "perspective",
    "segment",
    "collect",
    "pick",
    "summary",
    "change",
    "followup",
    "done",
    "declined",
    "erased",
]
PHASES: tuple[str, ...] = Phase.__args__  # type: ignore[attr-defined]

Aside = Literal["restart", "delete", "language"]
"""A question asked on top of the current step (confirm RESTART, DELETE, LANGUAGE)."""

ACTIVE_PHASES = frozenset(
    {"consent", "perspective", "segment", "collect", "pick", "summary", "change", "followup"}
)


def _empty_lists() -> dict[str, list[Any]]:
    return {c: [] for c in CATEGORIES}


@dataclass
class State:
    """Where one person is in one programme's conversation."""

    phase: Phase = "new"
    category: Category | None = None
    statements: dict[str, list[str]] = field(default_factory=_empty_lists)
    """Short previews of the statements per category, in order (full text is stored)."""
    picks: dict[str, list[int]] = field(default_factory=_empty_lists)
    first_pick: int | None = None
    ticked: list[int] = field(default_factory=list)
    perspective: str | None = None
    segment: str | None = None
    language: str = "en"
    aside: Aside | None = None
    changing: bool = False
    """Came from the summary's CHANGE: go back to the summary after this category."""
    completed: bool = False
    safeguarding_told: bool = False
    """The help reply (999, Samaritans, the centre) has been sent in this conversation."""
    turn: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A copy as plain JSON values. Not `dataclasses.asdict`: its deep copy of every
        value was a twentieth of a worker's step, and the values here are flat."""
        return {name: _copied(getattr(self, name)) for name in _FIELD_NAMES}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> State:
        """Rebuild a state, tolerating missing or unknown keys from older versions."""
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        state = cls(**known)
        state.statements = {c: list(state.statements.get(c, [])) for c in CATEGORIES}
        state.picks = {c: list(state.picks.get(c, [])) for c in CATEGORIES}
        if state.phase not in PHASES:
            state.phase = "new"
        return state

    def count(self, category: str) -> int:
        return len(self.statements[category])

    @property
    def current_category(self) -> Category:
        """The category being asked about (the first one when none is set)."""
        return self.category or CATEGORIES[0]

    @property
    def active(self) -> bool:
        return self.phase in ACTIVE_PHASES


_FIELD_NAMES = tuple(f.name for f in fields(State))


def _copied(value: Any) -> Any:
    """A copy of a state value: a list, a dict of lists, or an immutable scalar."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return {key: list(inner) for key, inner in value.items()}
    return value
