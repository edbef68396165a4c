"""The facts about a deck that the cover page and the spreadsheet's Summary sheet show.

Counted once here so the printed cover and the spreadsheet cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from admin.exports.deck import Deck, ExportStatement
from bot.model import CATEGORIES, Category

NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class DeckSummary:
    programme_name: str
    purpose: str
    total: int
    by_category: tuple[tuple[Category, int], ...]
    """Every category, in card-call order, including those with no statements."""
    people: int
    """How many people (responses) the statements came from."""
    by_perspective: tuple[tuple[str, int], ...]
    """People (not cards) per perspective: three people's fifteen cards count three."""
    by_segment: tuple[tuple[str, int], ...]
    """People (not cards) per segment."""
    first_collected: date | None
    last_collected: date | None
    exported_on: date
    include_all: bool
    held_back: int = 0
    """Left out until a reviewer decides on their safeguarding case."""
    masked: int = 0
    """Statements printed with personal data masked ("[name]", "[phone number]", ...)."""

    @property
    def selection(self) -> str:
        """Which statements the export holds, in words."""
        if self.include_all:
            return "All statements"
        return "Top-two picks only"


def summarise(deck: Deck) -> DeckSummary:
    """Counts and dates for `deck`.

    Collection dates come from the deck when the query supplied them, else from
    the statements themselves.
    """
    statements = deck.statements
    categories = Counter(s.category for s in statements)
    dates = [s.collected_at.date() for s in statements]
    return DeckSummary(
        programme_name=deck.programme_name,
        purpose=deck.purpose,
        total=len(statements),
        by_category=tuple((c, categories[c]) for c in CATEGORIES),
        people=len({s.response_key for s in statements}),
        by_perspective=_counted(_per_person(statements, "perspective")),
        by_segment=_counted(_per_person(statements, "segment")),
        first_collected=deck.first_collected or min(dates, default=None),
        last_collected=deck.last_collected or max(dates, default=None),
        exported_on=deck.exported_at.date(),
        include_all=deck.include_all,
        held_back=deck.held_back,
        masked=deck.masked,
    )


def masked_words(count: int) -> str:
    """The cover's and the Summary sheet's sentence about masking."""
    if not count:
        return "No personal details were masked."
    cards = "statement" if count == 1 else "statements"
    return (
        f"Personal details masked in {count} {cards}: shown as [name], [phone number], "
        "[e-mail] or [address] until a reviewer approves the original wording."
    )


def _counted(values: Iterable[str | None]) -> tuple[tuple[str, int], ...]:
    """(value, count) pairs, most common first, ties by name; None as 'not recorded'."""
    counts = Counter(v if v else NOT_RECORDED for v in values)
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _per_person(statements: Iterable[ExportStatement], field: str) -> list[str | None]:
    """One value per person (response), not per card: a person's perspective or segment."""
    first: dict[int, str | None] = {}
    for statement in statements:
        first.setdefault(statement.response_key, getattr(statement, field))
    return list(first.values())
