"""API and form schemas, in families: ProgrammeCreate / ProgrammeRead / ProgrammeUpdate.

The web forms and the JSON API validate through the same models, so a rule
(a code's shape, the window's order, a colour) is written once.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from bot.messages import LANGUAGE_NAMES
from bot.safeguarding import PatternError, SafeguardingCategory, check_phrase

Level = Literal["unit", "provider", "service", "population"]
Status = Literal["draft", "collecting", "closed"]


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refusing it here keeps SQLite and PostgreSQL alike.
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""Any text we store: no NUL character (PostgreSQL refuses it; so do we, on every database)."""


class SegmentTarget(BaseModel):
    """A part of the sample with its own target (e.g. homecare 60)."""

    name: Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    target: int | None = Field(default=None, ge=1, le=100_000)


def _known_languages(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("choose at least one language")
    unknown = [code for code in value if code not in LANGUAGE_NAMES]
    if unknown:
        raise ValueError(f"unknown language: {', '.join(repr(c) for c in unknown)}")
    return list(dict.fromkeys(value))


def _distinct_segments(value: list[SegmentTarget]) -> list[SegmentTarget]:
    names = [s.name.strip().casefold() for s in value]
    if len(set(names)) != len(names):
        raise ValueError("each segment needs its own name (names differing only in case clash)")
    return value


Languages = Annotated[
    list[Annotated[str, Field(max_length=20)]],
    Field(max_length=len(LANGUAGE_NAMES) * 2),
    AfterValidator(_known_languages),
]
"""At least one language the bot speaks, each once (the web form and the API alike)."""
Segments = Annotated[list[SegmentTarget], Field(max_length=30), AfterValidator(_distinct_segments)]
"""Parts of the sample, each with its own name; `a` and `A` are the same name."""


class SafeguardingContact(BaseModel):
    """Someone told at once of a disclosure of harm: by e-mail, and by SMS if Twilio is set."""

    name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ()-]{6,40}$")

    @model_validator(mode="after")
    def _reachable(self) -> SafeguardingContact:
        if not self.email and not self.phone:
            raise ValueError("a safeguarding contact needs an e-mail address or a phone number")
        return self


class SafeguardingPhrase(BaseModel):
    """A lead's own words that should alert, on top of the shipped patterns (`*` = any ending)."""

    category: SafeguardingCategory
    phrase: str = Field(min_length=1, max_length=200)

    @field_validator("phrase")
    @classmethod
    def _usable(cls, value: str) -> str:
        try:
            return check_phrase(value)
        except PatternError as error:
            raise ValueError(str(error)) from error


class _ProgrammeFields(BaseModel):
    purpose: Text = Field(default="", max_length=2000)
    level: Level = "service"
    target: int | None = Field(default=None, ge=1, le=100_000)
    segments: Segments = Field(default_factory=list)
    starts_on: date | None = None
    ends_on: date | None = None
    languages: Languages = Field(default_factory=lambda: ["en"])
    future_colour: str = Field(default="#1f5fa8", pattern=r"^#[0-9a-fA-F]{6}$")
    max_statements: int = Field(default=5, ge=1, le=10)
    reminder_after_hours: int = Field(default=24, ge=1, le=720)
    reminder_count: int = Field(default=1, ge=0, le=5)
    quiet_close_days: int = Field(default=7, ge=1, le=90)
    retention_days: int = Field(default=90, ge=1, le=3650)
    sms_number: Text | None = Field(default=None, max_length=40)
    status: Status = "draft"
    safeguarding_contacts: list[SafeguardingContact] = Field(default_factory=list, max_length=10)
    safeguarding_help: str = Field(
        default="",
        max_length=300,
        description="The centre's own contact, sent after 999 and Samaritans in the help reply",
    )
    safeguarding_phrases: list[SafeguardingPhrase] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _window_in_order(self) -> _ProgrammeFields:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("the collection window ends before it starts")
        return self


class ProgrammeCreate(_ProgrammeFields):
    name: Text = Field(min_length=1, max_length=200)
    code: Text = Field(min_length=2, max_length=20)


class ProgrammeUpdate(BaseModel):
    """A partial change (API PATCH): only the fields sent are changed.

    The same rules as ProgrammeCreate (the shared `Text`, `Languages` and `Segments`
    types), so nothing the create form would refuse can be stored by a PATCH.
    """

    name: Text | None = Field(default=None, min_length=1, max_length=200)
    purpose: Text | None = Field(default=None, max_length=2000)
    level: Level | None = None
    target: int | None = Field(default=None, ge=1, le=100_000)
    segments: Segments | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    languages: Languages | None = None
    future_colour: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    max_statements: int | None = Field(default=None, ge=1, le=10)
    reminder_after_hours: int | None = Field(default=None, ge=1, le=720)
    reminder_count: int | None = Field(default=None, ge=0, le=5)
    quiet_close_days: int | None = Field(default=None, ge=1, le=90)
    retention_days: int | None = Field(default=None, ge=1, le=3650)
    sms_number: Text | None = Field(default=None, max_length=40)
    status: Status | None = None
    safeguarding_contacts: list[SafeguardingContact] | None = Field(default=None, max_length=10)
    safeguarding_help: str | None = Field(default=None, max_length=300)
    safeguarding_phrases: list[SafeguardingPhrase] | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _window_in_order(self) -> ProgrammeUpdate:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("the collection window ends before it starts")
        return self


class SegmentRead(BaseModel):
    name: str
    target: int | None = None


class SafeguardingContactRead(BaseModel):
    """A stored safeguarding contact, as it is (no input rules: see ProgrammeRead)."""

    name: str = ""
    email: str | None = None
    phone: str | None = None


class SafeguardingPhraseRead(BaseModel):
    category: str
    phrase: str


class ProgrammeRead(BaseModel):
    """A programme as stored. Plain types, no input rules: a row written by an older
    version (or by hand) is still listed, rather than breaking the list for everyone."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    code: str
    purpose: str
    level: str
    target: int | None = None
    segments: list[SegmentRead]
    starts_on: date | None = None
    ends_on: date | None = None
    languages: list[str]
    future_colour: str
    max_statements: int
    reminder_after_hours: int
    reminder_count: int
    quiet_close_days: int
    retention_days: int
    sms_number: str | None = None
    status: str
    created_at: datetime
    closed_at: datetime | None = None
    safeguarding_contacts: list[SafeguardingContactRead] = Field(default_factory=list)
    safeguarding_help: str = ""
    safeguarding_phrases: list[SafeguardingPhraseRead] = Field(default_factory=list)


class CountRead(BaseModel):
    started: int
    completed: int
    target: int | None = None


class CategoryCountRead(BaseModel):
    category: str
    statements: int
    picks: int


class DayCountRead(BaseModel):
    day: date
    started: int


class ProgressRead(BaseModel):
    code: str
    started: int
    completed: int
    target: int | None
    categories: list[CategoryCountRead]
    segments: dict[str, CountRead]
    channels: dict[str, CountRead]
    perspectives: dict[str, CountRead]
    per_day: list[DayCountRead]


class StatementFlag(StrEnum):
    """What the quality check (admin/flags.py) and intake found in a statement."""

    safeguarding = "safeguarding"
    professional = "professional"
    name = "name"
    phone = "phone"
    email = "email"
    postcode = "postcode"
    address = "address"
    empty = "empty"
    long = "long"
    duplicate = "duplicate"
    several = "several"


class StatementRead(BaseModel):
    id: int
    response_reference: str
    category: str
    text: str
    card_text: str | None
    language: str
    translation: str | None
    """A reviewer's translation for the workshop room, if one was added."""
    pick_rank: int | None
    flags: list[StatementFlag]
    held_back: bool = False
    """True while a safeguarding case awaits a reviewer's decision: not in any export."""
    excluded: bool
    exclude_reason: str | None
    reviewed: bool
    channel: str
    perspective: str | None
    segment: str | None
    created_at: datetime
