"""Step 8, Review: "you said, we did" rounds to the people who asked to hear back.

A lead writes one short text per programme language (a *round*), sees who will
get it, and sends it. Who gets it is decided here and nowhere else:

- their response to this programme said YES to "a message later about what
  changes" (`Response.follow_up`);
- they have not sent STOP (`Participant.opted_out`) and have not been erased
  (an erased participant has no row, or no address);
- they took part on a channel that can reach them later (SMS, WhatsApp,
  Telegram): never the kiosk, the terminal or staff-assisted entry.

Sending queues one outbox message per person (kind "feedback", in their own
language), so the dispatcher sends it at the channel's pace with retries. A
person is queued at most once per round: the `(round, participant)` unique key
holds even when two processes send the same round at once, and pressing send
again only adds people who became eligible since.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keywords
from bot.model import Reply
from collection.channel_facts import reachable_channels
from collection.models import (
    AuditEntry,
    FeedbackRecipient,
    FeedbackReply,
    FeedbackRound,
    OutboxMessage,
    Participant,
    Programme,
    Response,
)
from collection.outbox import queue_reply
from collection.programmes import get_by_code, normalise_code

FEEDBACK_KEY = "feedback"
"""The outbox payload's message key: the lead's own words, sent as they are."""
MAX_TEXT = 1000
"""Characters per language: 7 SMS segments in GSM-7, and inside WhatsApp's template limit."""
REPLY_WINDOW = timedelta(days=14)
"""A message from someone this long after a round reached them is taken as an answer to it."""
STATES = ("queued", "sent", "delivered", "failed")


class FeedbackError(Exception):
    """A round cannot be written or sent as asked; the message says why in plain words."""


class RoundNotFoundError(FeedbackError):
    """No round with that number in this programme."""


@dataclass(frozen=True)
class Candidate:
    """One person who will get the round: their participant, response, channel and language."""

    participant_id: int
    response_id: int
    channel: str
    language: str


@dataclass(frozen=True)
class SendSummary:
    """What pressing send did: how many were queued now, and how many had it already."""

    queued: int
    already: int
    by_channel_language: dict[tuple[str, str], int]


@dataclass(frozen=True)
class RecipientStatus:
    """How one person's message is getting on; the response reference, never an address."""

    reference: str | None
    channel: str
    language: str
    state: str
    """queued, sent, delivered or failed."""
    reason: str | None
    queued_at: datetime


def feedback_reply(text: str) -> Reply:
    """The outbox payload for a round's text (rendered verbatim by every channel)."""
    return Reply(key=FEEDBACK_KEY, params=(("text", text),))


def clean_texts(programme: Programme, texts: dict[str, str]) -> dict[str, str]:
    """The texts a round may be sent with: one for each programme language, none other."""
    languages = [str(language) for language in programme.languages] or ["en"]
    cleaned = {language: text.strip() for language, text in texts.items()}
    unknown = sorted(set(cleaned) - set(languages))
    if unknown:
        raise FeedbackError(
            f"{programme.code} does not use {', '.join(unknown)}; "
            f"its languages are {', '.join(languages)}."
        )
    missing = [language for language in languages if not cleaned.get(language)]
    if missing:
        raise FeedbackError(
            f"Write the message in every language of the programme: missing {', '.join(missing)}."
        )
    too_long = [language for language in languages if len(cleaned[language]) > MAX_TEXT]
    if too_long:
        raise FeedbackError(
            f"Keep each message to {MAX_TEXT} characters: too long in {', '.join(too_long)}."
        )
    return {language: cleaned[language] for language in languages}


async def create_round(
    *,
    session: AsyncSession,
    programme: Programme,
    texts: dict[str, str],
    actor: str,
    now: datetime,
) -> FeedbackRound:
    """A new round (not sent yet), numbered after the programme's last one."""
    cleaned = clean_texts(programme, texts)
    last = await session.scalar(
        select(func.max(FeedbackRound.number)).where(FeedbackRound.programme_id == programme.id)
    )
    round_ = FeedbackRound(
        programme_id=programme.id,
        number=(last or 0) + 1,
        texts=cleaned,
        created_by=actor,
        created_at=now,
    )
    session.add(round_)
    await session.flush()
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action="feedback.create",
            target=programme.code,
            detail={"round": round_.number},
        )
    )
    return round_


async def repeat_round(
    *, session: AsyncSession, programme: Programme, number: int, actor: str, now: datetime
) -> FeedbackRound:
    """A second update: a new round from an earlier round's texts, sent to everyone again."""
    earlier = await get_round(session=session, programme=programme, number=number)
    texts = {str(k): str(v) for k, v in earlier.texts.items()}
    return await create_round(
        session=session, programme=programme, texts=texts, actor=actor, now=now
    )


async def get_round(*, session: AsyncSession, programme: Programme, number: int) -> FeedbackRound:
    found = await session.scalar(
        select(FeedbackRound).where(
            FeedbackRound.programme_id == programme.id, FeedbackRound.number == number
        )
    )
    if found is None:
        raise RoundNotFoundError(f"{programme.code} has no feedback round {number}.")
    return found


async def list_rounds(*, session: AsyncSession, programme: Programme) -> list[FeedbackRound]:
    rows = await session.execute(
        select(FeedbackRound)
        .where(FeedbackRound.programme_id == programme.id)
        .order_by(FeedbackRound.number.desc())
    )
    return list(rows.scalars())


async def audience(*, session: AsyncSession, programme: Programme) -> list[Candidate]:
    """Everyone the round would reach now, one entry per person, in their language."""
    rows = await session.execute(
        select(Response.id, Response.participant_id, Response.channel, Response.language)
        .join(Participant, Participant.id == Response.participant_id)
        .where(
            Response.programme_id == programme.id,
            Response.follow_up.is_(True),
            Response.channel.in_(reachable_channels()),
            Participant.opted_out.is_(False),
            Participant.address_encrypted.is_not(None),
        )
        .order_by(Response.id)
    )
    languages = [str(language) for language in programme.languages] or ["en"]
    chosen: dict[int, Candidate] = {}
    for response_id, participant_id, channel, language in rows.all():
        if participant_id is None:
            continue
        spoken = language if language in languages else languages[0]
        # The latest response wins when one address answered the programme twice.
        chosen[participant_id] = Candidate(participant_id, response_id, channel, spoken)
    return list(chosen.values())


def count_by_channel_language(candidates: list[Candidate]) -> dict[tuple[str, str], int]:
    counts = Counter((c.channel, c.language) for c in candidates)
    return dict(sorted(counts.items()))


async def send_round(
    *,
    session: AsyncSession,
    programme: Programme,
    round_: FeedbackRound,
    actor: str,
    now: datetime,
) -> SendSummary:
    """Queue the round for everyone eligible who has not had it; safe to call twice, or at once.

    Each person's recipient row is inserted with ON CONFLICT DO NOTHING on
    (round, participant): only the transaction whose insert lands queues the
    outbox message, so a second press, or a second process, queues nobody twice.
    """
    candidates = await audience(session=session, programme=programme)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    queued: list[Candidate] = []
    for candidate in candidates:
        result = await session.execute(
            insert(FeedbackRecipient)
            .values(
                round_id=round_.id,
                participant_id=candidate.participant_id,
                response_id=candidate.response_id,
                channel=candidate.channel,
                language=candidate.language,
                queued_at=now,
            )
            .on_conflict_do_nothing(index_elements=["round_id", "participant_id"])
            .returning(FeedbackRecipient.id)
        )
        recipient_id = result.scalar_one_or_none()
        if recipient_id is None:
            continue
        row = queue_reply(
            session=session,
            channel=candidate.channel,
            participant_id=candidate.participant_id,
            response_id=candidate.response_id,
            reply=feedback_reply(str(round_.texts[candidate.language])),
            language=candidate.language,
            kind="feedback",
            now=now,
        )
        await session.flush()
        recipient = await session.get(FeedbackRecipient, recipient_id)
        assert recipient is not None
        recipient.outbox_id = row.id
        queued.append(candidate)
    if round_.sent_at is None:
        round_.sent_at, round_.sent_by = now, actor
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action="feedback.send",
            target=programme.code,
            detail={"round": round_.number, "queued": len(queued)},
        )
    )
    return SendSummary(
        queued=len(queued),
        already=len(candidates) - len(queued),
        by_channel_language=count_by_channel_language(queued),
    )


def delivery_state(outbox: OutboxMessage | None) -> tuple[str, str | None]:
    """One of `STATES` with the reason for a failure, from the outbox row and its reports."""
    if outbox is None:
        return "failed", "not sent: the person was erased"
    if outbox.status == "cancelled":
        return "failed", outbox.last_error or "cancelled"
    if outbox.status == "failed" or outbox.delivery_status in ("failed", "undelivered"):
        return "failed", outbox.last_error or outbox.delivery_status
    if outbox.delivery_status in ("delivered", "read"):
        return "delivered", None
    if outbox.status == "sent":
        return "sent", None
    return "queued", outbox.last_error


async def recipients(*, session: AsyncSession, round_: FeedbackRound) -> list[RecipientStatus]:
    rows = await session.execute(
        select(FeedbackRecipient, OutboxMessage, Response.reference)
        .outerjoin(OutboxMessage, OutboxMessage.id == FeedbackRecipient.outbox_id)
        .outerjoin(Response, Response.id == FeedbackRecipient.response_id)
        .where(FeedbackRecipient.round_id == round_.id)
        .order_by(FeedbackRecipient.id)
    )
    found = []
    for recipient, outbox, reference in rows.all():
        state, reason = delivery_state(outbox)
        found.append(
            RecipientStatus(
                reference, recipient.channel, recipient.language, state, reason, recipient.queued_at
            )
        )
    return found


def count_states(statuses: list[RecipientStatus]) -> dict[str, int]:
    counts = Counter(status.state for status in statuses)
    return {state: counts.get(state, 0) for state in STATES}


async def replies(
    *, session: AsyncSession, round_: FeedbackRound
) -> list[tuple[FeedbackReply, str | None]]:
    """What people wrote back to the round, oldest first, with their response reference."""
    rows = await session.execute(
        select(FeedbackReply, Response.reference)
        .outerjoin(Response, Response.id == FeedbackReply.response_id)
        .where(FeedbackReply.round_id == round_.id)
        .order_by(FeedbackReply.received_at, FeedbackReply.id)
    )
    return [(reply, reference) for reply, reference in rows.all()]


async def answered_round(
    *,
    session: AsyncSession,
    participant: Participant,
    text: str,
    joining: bool,
    now: datetime,
    latest_status: str | None,
) -> FeedbackRecipient | None:
    """The round this message answers, if any: one that reached the person recently.

    Only words count: a keyword (STOP, HELP, CHANGE, DELETE...) or a programme's
    code keeps its usual meaning, and so does joining by a link. Only when they
    have no conversation in progress (`latest_status`, their latest response's, is
    `complete`): someone still answering the three questions is never diverted,
    and their message costs no look-up here at all.
    """
    if latest_status != "complete":
        return None
    if joining or not text.strip() or keywords.match_any(text) is not None:
        return None
    recipient = await session.scalar(
        select(FeedbackRecipient)
        .join(OutboxMessage, OutboxMessage.id == FeedbackRecipient.outbox_id)
        .where(
            FeedbackRecipient.participant_id == participant.id,
            OutboxMessage.status == "sent",
            OutboxMessage.sent_at >= now - REPLY_WINDOW,
        )
        .order_by(OutboxMessage.sent_at.desc(), FeedbackRecipient.id.desc())
        .limit(1)
    )
    if recipient is None:  # almost every message: one indexed lookup, then the usual route
        return None
    if await get_by_code(session=session, code=normalise_code(text.strip().rstrip(".!"))):
        return None
    return recipient


def keep_reply(
    *,
    session: AsyncSession,
    recipient: FeedbackRecipient,
    participant: Participant,
    text: str,
    now: datetime,
) -> None:
    session.add(
        FeedbackReply(
            round_id=recipient.round_id,
            participant_id=participant.id,
            response_id=recipient.response_id,
            channel=participant.channel,
            text=text,
            received_at=now,
        )
    )


async def not_yet_reached(
    *, session: AsyncSession, programme: Programme, round_: FeedbackRound
) -> list[Candidate]:
    """Who pressing send now would add: the audience less those already queued for the round."""
    rows = await session.execute(
        select(FeedbackRecipient.participant_id).where(FeedbackRecipient.round_id == round_.id)
    )
    done = set(rows.scalars())
    candidates = await audience(session=session, programme=programme)
    return [c for c in candidates if c.participant_id not in done]
