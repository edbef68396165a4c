"""API and form schemas, in families: ProgrammeCreate / ProgrammeRead / ProgrammeUpdate.

The web forms and the JSON API validate through the same models, so a rule
(a code's shape, the window's order, a colour) is written once.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.messages import LANGUAGE_NAMES
from bot.safeguarding import PatternError, SafeguardingCategory, check_phrase

Level = Literal["unit", "provider", "service", "population"]
Status = Literal["draft", "collecting", "closed"]
Role = Literal["admin", "lead", "staff"]


class SegmentTarget(BaseModel):
    """A part of the sample with its own target (e.g. homecare 60)."""

    name: str = Field(min_length=1, max_length=100)
    target: int | None = Field(default=None, ge=1, le=100_000)


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
    purpose: str = Field(default="", max_length=2000)
    level: Level = "service"
    target: int | None = Field(default=None, ge=1, le=100_000)
    segments: list[SegmentTarget] = Field(default_factory=list, max_length=30)
    starts_on: date | None = None
    ends_on: date | None = None
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    future_colour: str = Field(default="#1f5fa8", pattern=r"^#[0-9a-fA-F]{6}$")
    max_statements: int = Field(default=5, ge=1, le=10)
    reminder_after_hours: int = Field(default=24, ge=1, le=720)
    reminder_count: int = Field(default=1, ge=0, le=5)
    quiet_close_days: int = Field(default=7, ge=1, le=90)
    retention_days: int = Field(default=90, ge=1, le=3650)
    sms_number: str | None = Field(default=None, max_length=40)
    status: Status = "draft"
    safeguarding_contacts: list[SafeguardingContact] = Field(default_factory=list, max_length=10)
    safeguarding_help: str = Field(
        default="",
        max_length=300,
        description="The centre's own contact, sent after 999 and Samaritans in the help reply",
    )
    safeguarding_phrases: list[SafeguardingPhrase] = Field(default_factory=list, max_length=200)

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in LANGUAGE_NAMES]
        if unknown:
            raise ValueError(f"unknown language: {', '.join(unknown)}")
        return list(dict.fromkeys(value))

    @field_validator("segments")
    @classmethod
    def _distinct_segments(cls, value: list[SegmentTarget]) -> list[SegmentTarget]:
        names = [s.name.strip().casefold() for s in value]
        if len(set(names)) != len(names):
            raise ValueError("each segment needs its own name")
        return value

    @model_validator(mode="after")
    def _window_in_order(self) -> _ProgrammeFields:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("the collection window ends before it starts")
        return self


class ProgrammeCreate(_ProgrammeFields):
    name: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=2, max_length=20)


class ProgrammeUpdate(BaseModel):
    """A partial change (API PATCH): only the fields sent are changed."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    purpose: str | None = Field(default=None, max_length=2000)
    level: Level | None = None
    target: int | None = Field(default=None, ge=1, le=100_000)
    segments: list[SegmentTarget] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    languages: list[str] | None = None
    future_colour: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    max_statements: int | None = Field(default=None, ge=1, le=10)
    reminder_after_hours: int | None = Field(default=None, ge=1, le=720)
    reminder_count: int | None = Field(default=None, ge=0, le=5)
    quiet_close_days: int | None = Field(default=None, ge=1, le=90)
    retention_days: int | None = Field(default=None, ge=1, le=3650)
    sms_number: str | None = Field(default=None, max_length=40)
    status: Status | None = None
    safeguarding_contacts: list[SafeguardingContact] | None = Field(default=None, max_length=10)
    safeguarding_help: str | None = Field(default=None, max_length=300)
    safeguarding_phrases: list[SafeguardingPhrase] | None = Field(default=None, max_length=200)


class ProgrammeRead(_ProgrammeFields):
    model_config = ConfigDict(from_attributes=True)

    name: str
    code: str
    created_at: datetime
    closed_at: datetime | None = None


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


class UserCreate(BaseModel):
    email: str = Field(max_length=254)
    role: Role
    password: str = Field(min_length=10, max_length=1000)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
