"""One inbound message, one transaction: dedupe, lock, route, run the engine, store, reply.

Every channel calls `Intake.handle`. A message that returns here has been
committed exactly once; a replay of the same (channel, external id) changes
nothing and gets the very same replies as the first time.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import engine, lobby
from bot.languages import first_language
from bot.model import Inbound, InboundKind, Reply, reply_from_dict, reply_to_dict
from bot.state import State
from bot.votes import parse_vote
from collection import erasure, feedback, routing
from collection.crypto import AddressVault
from collection.db import SessionFactory
from collection.effects import apply_effects, apply_participant_effects
from collection.flood import SenderLimiter, SharedCounter
from collection.models import (
    FeedbackRecipient,
    InboundLog,
    OutboxMessage,
    Participant,
    Response,
)
from collection.participants import get_locked
from collection.programmes import engine_context
from collection.safeguarding.cases import AlertSettings
from collection.workshop.sms_votes import answer_vote

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Control characters other than tab and line breaks, and the two non-characters: PostgreSQL
refuses NUL in text, and XML (TwiML) has no way to write any of them."""
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable_text(text: str) -> str:
    """What a person sent, as it can be stored, shown and sent back in any channel.

    Control characters are dropped and a lone surrogate (half an emoji, which JSON
    can carry but UTF-8 cannot) becomes U+FFFD. Without this, one stray character
    made PostgreSQL refuse the message (a 503 that Twilio retries in vain), made the
    reply unencodable (a 500), or put a statement in a reply that TwiML cannot carry.
    """
    text = _UNSTORABLE.sub("", text)
    return _LONE_SURROGATE.sub("\ufffd", text)


@dataclass(frozen=True)
class InboundMessage:
    """A message from any channel, already parsed out of its outside format."""

    channel: str
    """sms, whatsapp, telegram, web, terminal."""
    address: str
    """The channel's address for the person: +447700900123, a chat id, a session token."""
    text: str = ""
    external_id: str | None = None
    """The provider's id (Twilio MessageSid, Telegram update_id); None makes one up."""
    kind: InboundKind = "text"
    turn: int | None = None
    join_code: str | None = None
    """Join this programme (Telegram /start PARK, the kiosk page, `wtfc chat PARK`)."""
    language_hint: str | None = None
    """The person's own language setting (Telegram language_code, Accept-Language)."""


@dataclass(frozen=True)
class IntakeResult:
    replies: tuple[Reply, ...]
    language: str
    replayed: bool = False
    response_id: int | None = None
    opted_out: bool = False


@dataclass
class Intake:
    """The inbound transaction, shared by every channel."""

    sessions: SessionFactory
    vault: AddressVault
    clock: Clock = _utcnow
    queued_channels: frozenset[str] = field(default_factory=frozenset)
    """Channels whose replies go through the outbox (Telegram) instead of the HTTP answer."""
    limiter: SenderLimiter = field(default_factory=SenderLimiter)
    alerts: AlertSettings | None = None
    """How safeguarding contacts are told of a disclosure (queued in this transaction)."""
    counter: SharedCounter | None = None
    """The same per-sender limit counted in the database, across every process."""

    async def handle(self, message: InboundMessage) -> IntakeResult:
        """Store and answer one message. Raises TooManyMessagesError for a flooding sender."""
        sender = message.channel + ":" + self.vault.lookup_hash(message.address)
        self.limiter.check(sender)
        message = replace(message, text=storable_text(message.text))
        external_id = message.external_id or f"local-{uuid.uuid4()}"
        for _attempt in range(3):
            try:
                async with self.sessions() as session, session.begin():
                    if self.counter is not None:  # across processes; raising stores nothing
                        await self.counter.count(
                            session,
                            "sender:" + sender,
                            limit=self.limiter.limit,
                            window=self.limiter.window,
                            now=self.clock().timestamp(),
                        )
                    result = await self._handle(session, message, external_id)
                if erasure.erased_in(session):  # DELETE then YES: committed, now off the disk
                    await erasure.scrub(self.sessions.kw["bind"])
                return result
            except IntegrityError:
                # The same external id committed by another process meanwhile: replay it.
                async with self.sessions() as session, session.begin():
                    replay = await _find_replay(session, message.channel, external_id)
                    if replay is not None:
                        return replay
        raise RuntimeError("inbound message could not be stored")

    async def _handle(
        self, session: AsyncSession, message: InboundMessage, external_id: str
    ) -> IntakeResult:
        now = self.clock()
        participant = await get_locked(
            session=session, vault=self.vault, channel=message.channel, address=message.address
        )
        assert participant is not None
        replay = await _find_replay(session, message.channel, external_id)
        if replay is not None:
            return replay
        vote = parse_vote(message.text)
        if vote is not None:  # a workshop vote (VOTE 2 5 7), whatever the conversation
            replies, language = await answer_vote(
                session=session, participant=participant, request=vote, now=now
            )
            await self._log(session, message, external_id, participant, None, replies, language)
            await self._queue(session, message, participant, None, replies, language)
            return IntakeResult(replies=replies, language=language, opted_out=participant.opted_out)
        answered = await feedback.answered_round(
            session=session,
            participant=participant,
            text=message.text if message.kind == "text" else "",
            joining=message.join_code is not None,
            now=now,
        )
        if answered is not None:
            return await self._feedback_reply(session, message, external_id, participant, answered)
        route = await routing.route(
            session=session,
            participant=participant,
            text=message.text,
            join_code=message.join_code,
            kind=message.kind,
            now=now,
        )
        if route.response is None:
            lobby_step = lobby.lobby_step(
                message.text, opted_out=participant.opted_out, offers=route.offers
            )
            apply_participant_effects(participant=participant, effects=lobby_step.effects, now=now)
            replies = lobby_step.replies
            language = first_language(routing.LOBBY_LANGUAGES, message.language_hint)
            await self._log(session, message, external_id, participant, None, replies, language)
            await self._queue(session, message, participant, None, replies, language)
            return IntakeResult(replies=replies, language=language, opted_out=participant.opted_out)
        response = route.response
        programme = route.programme
        assert programme is not None
        state = (
            response.state
            or State(language=first_language(programme.languages, message.language_hint)).to_dict()
        )
        context = engine_context(
            programme, channel=message.channel, opted_out=participant.opted_out, now=now
        )
        step = engine.step(
            state,
            Inbound(text=message.text, kind=route.kind, turn=message.turn),
            context,
        )
        if step.stale:
            await self._log(
                session, message, external_id, participant, response, (), response.language
            )
            return IntakeResult(replies=(), language=response.language, response_id=response.id)
        step = replace(step, replies=route.told + step.replies)
        response.state = step.state
        response.language = str(step.state.get("language", response.language))
        response.last_activity_at = now
        if (
            State.from_dict(step.state).active
            and response.status == "partial"
            and (not participant.opted_out)
        ):
            response.status = "active"
        kept = await apply_effects(
            session=session,
            effects=step.effects,
            response=response,
            participant=participant,
            now=now,
            alerts=self.alerts,
        )
        language = response.language
        if not kept:
            await self._log(session, message, external_id, None, None, step.replies, language)
            return IntakeResult(replies=step.replies, language=language)
        await self._log(
            session, message, external_id, participant, response, step.replies, language
        )
        await self._queue(session, message, participant, response, step.replies, language)
        return IntakeResult(
            replies=step.replies,
            language=language,
            response_id=response.id,
            opted_out=participant.opted_out,
        )

    async def _feedback_reply(
        self,
        session: AsyncSession,
        message: InboundMessage,
        external_id: str,
        participant: Participant,
        answered: FeedbackRecipient,
    ) -> IntakeResult:
        """A reply to a "you said, we did" round: kept on the round, thanked, nothing started."""
        now = self.clock()
        feedback.keep_reply(
            session=session, recipient=answered, participant=participant, text=message.text, now=now
        )
        replies = (Reply(key="feedback_thanks"),)
        await self._log(
            session, message, external_id, participant, None, replies, answered.language
        )
        await self._queue(session, message, participant, None, replies, answered.language)
        return IntakeResult(replies=replies, language=answered.language)

    async def _log(
        self,
        session: AsyncSession,
        message: InboundMessage,
        external_id: str,
        participant: Participant | None,
        response: Response | None,
        replies: tuple[Reply, ...],
        language: str,
    ) -> None:
        session.add(
            InboundLog(
                channel=message.channel,
                external_id=external_id,
                participant_id=participant.id if participant else None,
                response_id=response.id if response else None,
                text=message.text if participant else None,
                replies=[reply_to_dict(r) for r in replies],
                language=language,
                received_at=self.clock(),
            )
        )
        await session.flush()

    async def _queue(
        self,
        session: AsyncSession,
        message: InboundMessage,
        participant: Participant,
        response: Response | None,
        replies: tuple[Reply, ...],
        language: str,
    ) -> None:
        if message.channel not in self.queued_channels:
            return
        for reply in replies:
            session.add(
                OutboxMessage(
                    channel=message.channel,
                    participant_id=participant.id,
                    response_id=response.id if response else None,
                    kind="reply",
                    payload=reply_to_dict(reply),
                    language=language,
                    next_attempt_at=self.clock(),
                )
            )


async def _find_replay(
    session: AsyncSession, channel: str, external_id: str
) -> IntakeResult | None:
    found = await session.execute(
        select(InboundLog).where(
            InboundLog.channel == channel, InboundLog.external_id == external_id
        )
    )
    log = found.scalar_one_or_none()
    if log is None:
        return None
    replies = tuple(reply_from_dict(r) for r in log.replies)
    return IntakeResult(
        replies=replies, language=log.language, replayed=True, response_id=log.response_id
    )


__all__ = ["InboundMessage", "Intake", "IntakeResult", "storable_text"]
