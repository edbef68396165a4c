"""The workshop's analysis: what someone used to type up afterwards, counted from the board.

Per category, each theme with its "I" statement, its cards, how many people's
top-two picks it holds (each card is a pick, so: the distinct people behind its
cards), those people split by perspective and by segment, and for "not working"
the votes, paper dots and whether it was carried forward. Parked cards and cards
never called are listed apart. Built from a `Board` only, so the screen, a paper
import and a test fixture all give the same report for the same piles.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from admin.exports.deck import Card
from admin.services.workshop_deck import Board, PileView
from bot.model import CATEGORIES

PERSPECTIVES: dict[str | None, str] = {
    "person": "People",
    "carer": "Carers and family",
    None: "Not said",
}
"""The method puts people and their carers first and wants their views side by side."""
NO_SEGMENT = "No segment"


@dataclass(frozen=True)
class ThemeRow:
    category: str
    number: int
    name: str
    cards: tuple[Card, ...]
    people: int
    by_perspective: dict[str, int]
    by_segment: dict[str, int]
    votes: int
    dots: int
    carried_forward: bool

    @property
    def card_count(self) -> int:
        return len(self.cards)

    @property
    def total_votes(self) -> int:
        return self.votes + self.dots


@dataclass(frozen=True)
class WorkshopReport:
    programme_code: str
    programme_name: str
    purpose: str
    made_at: datetime
    themes: dict[str, list[ThemeRow]]
    parked: dict[str, list[Card]]
    uncalled: dict[str, list[Card]]
    ballots: int
    segments: tuple[str, ...] = field(default_factory=tuple)
    """Every segment named in the report, in a stable order, for table columns."""

    @property
    def carried_forward(self) -> list[ThemeRow]:
        return [t for t in self.themes["not_working"] if t.carried_forward]

    def ranked_votes(self) -> list[ThemeRow]:
        """The "not working" themes, most votes first (wall order among equals)."""
        return sorted(self.themes["not_working"], key=lambda t: (-t.total_votes, t.number))


def perspective_label(value: str | None) -> str:
    return PERSPECTIVES.get(value, value or PERSPECTIVES[None])


def _theme(view: PileView) -> ThemeRow:
    people: dict[int, Card] = {}
    for card in view.cards:
        people.setdefault(card.statement.response_key, card)
    perspectives = Counter(perspective_label(c.statement.perspective) for c in people.values())
    segments = Counter(c.statement.segment or NO_SEGMENT for c in people.values())
    return ThemeRow(
        category=view.category,
        number=view.number,
        name=view.name,
        cards=tuple(view.cards),
        people=len(people),
        by_perspective=dict(perspectives),
        by_segment=dict(segments),
        votes=view.votes,
        dots=view.dots,
        carried_forward=view.carried_forward,
    )


def build_report(board: Board, *, made_at: datetime, ballots: int) -> WorkshopReport:
    themes: dict[str, list[ThemeRow]] = {c: [_theme(v) for v in board.piles[c]] for c in CATEGORIES}
    segments = sorted(
        {s for rows in themes.values() for t in rows for s in t.by_segment},
        key=lambda s: (s == NO_SEGMENT, s),
    )
    deck = board.deck
    return WorkshopReport(
        programme_code=deck.programme_code,
        programme_name=deck.programme_name,
        purpose=deck.purpose,
        made_at=made_at,
        themes=themes,
        parked={c: list(board.parked[c]) for c in CATEGORIES},
        uncalled={
            c: [card for card in board.in_category(c) if not board.is_called(card)]
            for c in CATEGORIES
        },
        ballots=ballots,
        segments=tuple(segments),
    )
