"""The database tables: programmes, participants, responses, statements, picks, logs.

Participants are stored by a keyed hash and an encrypted address only. Statement
text is what the person wrote; the card text (a reviewer's edit) is kept apart so
the original is never lost.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: UTCDateTime,
    }


def table(model: type[Base]) -> Table:
    """A model's table, for Core statements on the paths every message takes: where
    nothing is loaded as an object, the ORM's unit of work and bulk paths cost more
    Python than the statements themselves (issue 17's profiles)."""
    return cast(Table, model.__table__)


class Programme(Base):
    """One WTfC project: why, at what level, how many people, when, in which languages."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(20), default="service")
    target: Mapped[int | None] = mapped_column(Integer, default=None)
    segments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """[{"name": "homecare", "target": 60}, ...]"""
    starts_on: Mapped[date | None] = mapped_column(Date, default=None)
    ends_on: Mapped[date | None] = mapped_column(Date, default=None)
    languages: Mapped[list[Any]] = mapped_column(JSON, default=lambda: ["en"])
    max_statements: Mapped[int] = mapped_column(Integer, default=5)
    status: Mapped[str] = mapped_column(String(20), default="collecting")
    future_colour: Mapped[str] = mapped_column(String(7), default="#1f5fa8")
    reminder_after_hours: Mapped[int] = mapped_column(Integer, default=24)
    reminder_count: Mapped[int] = mapped_column(Integer, default=1)
    quiet_close_days: Mapped[int] = mapped_column(Integer, default=7)
    retention_days: Mapped[int] = mapped_column(Integer, default=90)
    consent_version: Mapped[str] = mapped_column(String(20), default="1")
    export_seed: Mapped[int] = mapped_column(BigInteger, default=0)
    sms_number: Mapped[str | None] = mapped_column(String(40), default=None)
    """The number shown on the poster ("Text PARK to ...")."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    contacts_purged_at: Mapped[datetime | None] = mapped_column(default=None)
    safeguarding_contacts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Who is told at once of a disclosure: [{"name": ..., "email": ..., "phone": ...}]."""
    safeguarding_help: Mapped[str] = mapped_column(Text, default="")
    """The centre's own contact, added to the help reply after 999 and Samaritans."""
    safeguarding_phrases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """A lead's own disclosure phrases on top of the shipped patterns:
    [{"category": "physical", "phrase": "nip* me"}]."""


class Participant(Base):
    """One channel address (a phone, a WhatsApp number, a Telegram chat, a kiosk session)."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("channel", "address_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    address_hash: Mapped[str] = mapped_column(String(64))
    address_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Response(Base):
    """One participant's answers to one programme, with the conversation state."""

    __tablename__ = "response"
    __table_args__ = (Index("ix_response_participant_status", "participant_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    """A short code staff can use to find a response (never a phone number)."""
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    perspective: Mapped[str | None] = mapped_column(String(20), default=None)
    segment: Mapped[str | None] = mapped_column(String(100), default=None)
    language: Mapped[str] = mapped_column(String(20), default="en")
    status: Mapped[str] = mapped_column(String(20), default="active")
    """active, complete, partial (stopped or quiet), declined."""
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consent_version: Mapped[str | None] = mapped_column(String(20), default=None)
    consented_at: Mapped[datetime | None] = mapped_column(default=None)
    follow_up: Mapped[bool | None] = mapped_column(Boolean, default=None)
    assisted_by: Mapped[str | None] = mapped_column(String(200), default=None)
    """The staff member who typed the answers in, for staff-assisted responses."""
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)

    programme: Mapped[Programme] = relationship(lazy="raise")


class Statement(Base):
    """One answer in the person's own words, in one category."""

    __tablename__ = "statement"
    __table_args__ = (UniqueConstraint("response_id", "category", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    card_text: Mapped[str | None] = mapped_column(Text, default=None)
    """A reviewer's edit for the card; the original `text` is kept."""
    translation: Mapped[str | None] = mapped_column(Text, default=None)
    language: Mapped[str] = mapped_column(String(20), default="en")
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    exclude_reason: Mapped[str | None] = mapped_column(Text, default=None)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    original_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    """A reviewer approved printing the words as they are: personal data is not masked."""
    split: Mapped[bool] = mapped_column(Boolean, default=False)
    """Split by a reviewer into parts (kept, never exported; the parts are)."""
    split_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("statement.id", ondelete="SET NULL"), default=None, index=True
    )
    """For a part of a split statement: the statement it came from."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Pick(Base):
    """A statement chosen as one of the top two in its category."""

    __tablename__ = "pick"
    __table_args__ = (UniqueConstraint("response_id", "category", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statement.id", ondelete="CASCADE"), unique=True
    )
    category: Mapped[str] = mapped_column(String(20))
    rank: Mapped[int] = mapped_column(Integer)


class InboundLog(Base):
    """Every inbound message once, by (channel, external id), with the reply it got."""

    __tablename__ = "inbound_log"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index(
            "ix_inbound_log_pending",
            "channel",
            "sender",
            "id",
            postgresql_where=sql_text("status = 'pending'"),
            sqlite_where=sql_text("status = 'pending'"),
        ),
        Index(
            "ix_inbound_log_pending_id",
            "id",
            postgresql_where=sql_text("status = 'pending'"),
            sqlite_where=sql_text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"), default=None
    )
    text: Mapped[str | None] = mapped_column(Text, default=None)
    replies: Mapped[list[Any]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(20), default="en")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="done", server_default="done")
    """pending (accepted, not yet processed), done, or failed (its step kept raising)."""
    sender: Mapped[str | None] = mapped_column(String(64), default=None)
    """The address's keyed hash: one person's pending messages are processed in order."""
    address_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    """The address, encrypted, while the message waits (cleared once processed)."""
    kind: Mapped[str | None] = mapped_column(String(10), default=None)
    turn: Mapped[int | None] = mapped_column(Integer, default=None)
    join_code: Mapped[str | None] = mapped_column(String(100), default=None)
    language_hint: Mapped[str | None] = mapped_column(String(200), default=None)
    reply_via: Mapped[str | None] = mapped_column(String(10), default=None)
    """answer (in the HTTP answer), outbox (sent by the dispatcher) or poll (web chat)."""
    processed_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Steps that raised for this message; after a few it is `failed` (see the README)."""
    effects: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    """What processing the message changed, in order (bot/history.py's form, each entry
    naming the response it applied to): a response's history, replayable. Holds the
    person's words, never an address; erasure empties it."""


class OutboxMessage(Base):
    """A message waiting to be sent (or sent), so nothing is lost if a send fails."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # The dispatcher's claim (see collection/outbox.py): queued rows in id order, and
        # whether a person has an older one not yet sent. Pending rows only, so small.
        Index(
            "ix_outbox_queued",
            "id",
            postgresql_where=sql_text("status = 'queued'"),
            sqlite_where=sql_text("status = 'queued'"),
        ),
        Index(
            "ix_outbox_pending_person",
            "participant_id",
            "id",
            postgresql_where=sql_text("status IN ('queued', 'sending')"),
            sqlite_where=sql_text("status IN ('queued', 'sending')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"), default=None
    )
    kind: Mapped[str] = mapped_column(String(20), default="reply")
    """reply, invite or reminder."""
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The engine reply (message key and parameters); the channel renders it when sending."""
    language: Mapped[str] = mapped_column(String(20), default="en")
    status: Mapped[str] = mapped_column(String(20), default="queued")
    """queued, sending, sent, failed, cancelled."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    provider_id: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    delivery_status: Mapped[str | None] = mapped_column(String(30), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    address_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    """For messages to staff (safeguarding alerts), who are not participants: their
    e-mail address or phone, encrypted like a participant's."""


class SafeguardingCase(Base):
    """A statement that reads as a disclosure of harm, and what the safeguarding lead did.

    The words are copied onto the case so it outlives the statement (BACK, RESTART,
    an erasure): a safeguarding record is kept whatever happens to the card.
    """

    __tablename__ = "safeguarding_case"
    __table_args__ = (Index("ix_safeguarding_case_programme_status", "programme_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("statement.id", ondelete="SET NULL"), index=True
    )
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"), default=None
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), default=None
    )
    reference: Mapped[str] = mapped_column(String(12), default="")
    """The response's reference, kept for the record if the response goes."""
    channel: Mapped[str] = mapped_column(String(20), default="")
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(30))
    """The most urgent category matched (see bot.safeguarding.SAFEGUARDING_CATEGORIES)."""
    categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    phrase: Mapped[str] = mapped_column(Text, default="")
    """The words that matched, so a lead sees at once why it alerted."""
    status: Mapped[str] = mapped_column(String(20), default="open")
    """open, acknowledged, closed."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by: Mapped[str | None] = mapped_column(String(254), default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[str | None] = mapped_column(String(254), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str | None] = mapped_column(Text, default=None)
    decision: Mapped[str | None] = mapped_column(String(20), default=None)
    """keep, edit or exclude: what goes on the card. Until then it is held back."""
    decided_by: Mapped[str | None] = mapped_column(String(254), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class FloodCounter(Base):
    """How many messages (or new conversations) one key sent in one time slot.

    Shared by every app process, so N processes together hold one limit. `slot` is
    the Unix time divided by the window length; rows past `expires_at` are purged.
    The key holds a keyed hash for a person, never an address.
    """

    __tablename__ = "flood_counter"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    slot: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)


class Pacer(Base):
    """The next free send slot per sender, shared by every dispatcher process."""

    __tablename__ = "pacer"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float, default=0.0)


class AuditEntry(Base):
    """Who did what and when: logins, exports, edits, erasures."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(200), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# ---- the web admin: logins, sessions, API tokens, leads, word lists -------------------------


class User(Base):
    """A login to the web admin: admin (everything), lead (their programmes) or staff."""

    __tablename__ = "admin_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(20), default="en_GB")
    """Dates and numbers on admin pages are formatted in this locale (Babel)."""
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    """The language of the admin's own pages: "en" or "cy" (Welsh public bodies must offer it)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)


class UserSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "admin_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the cookie token, so a leaked table cannot be used to sign in."""
    user_id: Mapped[int] = mapped_column(
        ForeignKey("admin_user.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A per-user token for the JSON API; shown once, stored as a hash."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("admin_user.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the token, so its owner can tell tokens apart."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class ProgrammeLead(Base):
    """Which leads run which programmes: a lead sees only these."""

    __tablename__ = "programme_lead"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("admin_user.id", ondelete="CASCADE"), primary_key=True
    )


class WordList(Base):
    """The professional-language phrases the quality review flags, per language.

    A language with no row uses the built-in starting list; once edited, the row
    is what counts (even if emptied on purpose).
    """

    __tablename__ = "word_list"

    language: Mapped[str] = mapped_column(String(20), primary_key=True)
    phrases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(254), default=None)


class ProgrammeWordList(Base):
    """One programme's own professional-language phrases for one language.

    A programme with no row uses the language's list (`WordList`, else the
    built-in one); a lead's edit is stored here, so it never changes how another
    programme's statements are flagged.
    """

    __tablename__ = "programme_word_list"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(20), primary_key=True)
    phrases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(254), default=None)


class LoginAttempt(Base):
    """Failed and successful sign-ins, for rate limiting per account and per address."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)


# ---- step 8, Review: "you said, we did" feedback rounds -------------------------------------


class FeedbackRound(Base):
    """One "you said, we did" message to everyone who asked to hear back, in each language.

    A round is written (a draft), then sent; sending again adds no one twice
    (see `FeedbackRecipient`). A second update later is a new round.
    """

    __tablename__ = "feedback_round"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    """1, 2, 3 within the programme: what leads and the API call the round."""
    texts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """{language: text}, one for each of the programme's languages."""
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_by: Mapped[str | None] = mapped_column(String(254), default=None)


class FeedbackRecipient(Base):
    """One person a round was queued for: at most once per round, whoever presses send."""

    __tablename__ = "feedback_recipient"
    __table_args__ = (UniqueConstraint("round_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("feedback_round.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"), default=None
    )
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), default=None
    )
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(20))
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedbackReply(Base):
    """What a person wrote back to a round: kept on the round, never a new statement."""

    __tablename__ = "feedback_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="SET NULL"), default=None
    )
    channel: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


@event.listens_for(Programme.status, "set")
def _remember_when_closed(target: Programme, value: str, old: object, _initiator: object) -> None:
    """Retention counts from the day a programme closed, whoever closes it."""
    if value == "closed" and old != "closed":
        target.closed_at = utcnow()
    elif value != "closed":
        target.closed_at = None
