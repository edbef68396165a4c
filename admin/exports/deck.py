"""What every export format is made from: the programme's facts and its statements.

`collection` fills a `Deck` from the database (anonymised: no phone numbers, chat
ids or names); the formats here only lay it out. Keeping the formats free of
database code lets them be tested and benchmarked on any number of statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.model import Category


@dataclass(frozen=True)
class ExportStatement:
    """One statement as the workshop sees it (before ordering gives it a reference)."""

    statement_id: int
    response_key: int
    """Which response it came from: used only to keep one person's cards apart."""
    category: Category
    card_text: str
    """The text printed on the card: the reviewer's edit if there is one."""
    original_text: str | None
    """The person's own words when the card text was edited, else None."""
    pick_rank: int | None
    perspective: str | None
    segment: str | None
    channel: str
    language: str
    translation: str | None
    collected_at: datetime


@dataclass(frozen=True)
class Card:
    """A statement in card-call order with its reference (W-07, N-03, F-12)."""

    reference: str
    statement: ExportStatement


@dataclass(frozen=True)
class Deck:
    """Everything an export needs."""

    programme_code: str
    programme_name: str
    purpose: str
    future_colour: str
    """Hex colour like '#1f6fb2' for the 'important for the future' cards."""
    seed: int
    """Stored on the programme so that exporting again gives the same order."""
    exported_at: datetime
    include_all: bool
    """False: top-two picks only (the default); True: every statement."""
    statements: list[ExportStatement] = field(default_factory=list)
    first_collected: date | None = None
    last_collected: date | None = None
    languages: tuple[str, ...] = ("en",)
    analysis: object | None = None
    """The workshop's analysis (admin.services.workshop_report.WorkshopReport) for the `themes`
    and `report` formats; added by admin/exports/workshop.py, None for the others."""
    held_back: int = 0
    """Statements left out because a safeguarding case awaits a reviewer's decision."""
    masked: int = 0
    """How many statements had personal data masked (the cover and Summary sheet say so)."""
