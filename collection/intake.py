"""Accept, then answer: store each inbound message, then process it in one transaction.

Every channel calls `Intake.handle`. It stores the message first (one insert, one
commit, deduplicated by (channel, external id): see `inbound_queue`), then runs
the conversation step (lock the person, route, run the engine, apply its
effects, store the replies) in a second transaction. A webhook waits for that
step only a short budget: if it finishes in time its replies go back in the HTTP
answer as before; if not (a burst) the answer says "pending" and the replies go
out through the outbox (SMS, WhatsApp, Telegram) or wait for the web chat to poll.
The step also runs in `InboundWorkers`, which pick up whatever no webhook finished,
oldest first and one person's messages in order.

A message is processed exactly once: its row turns `done` in the step's own
transaction. A replay of the same (channel, external id) changes nothing and gets
the same replies again if they went in the answer the first time (none if they
were sent through the outbox).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal, cast

from sqlalchemy import bindparam, insert, inspect, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot import engine, history, lobby
from bot.languages import first_language
from bot.model import Inbound, InboundKind, Paused, Reply, reply_from_dict, reply_to_dict
from bot.state import State
from bot.votes import parse_vote
from collection import erasure, feedback, inbound_queue, outage, routing
from collection.channel_facts import polled_channels
from collection.crypto import AddressVault
from collection.db import SessionFactory
from collection.effects import EffectList, EffectRecord, apply_step
from collection.flood import SenderLimiter, SharedCounter
from collection.models import (
    InboundLog,
    OutboxMessage,
    Participant,
    Response,
    table,
)
from collection.participants import get_locked
from collection.programmes import engine_context
from collection.safeguarding.cases import AlertSettings
from collection.workshop.sms_votes import answer_vote

Clock = Callable[[], datetime]
log = logging.getLogger(__name__)

MAX_INLINE = 8
"""Steps a process runs for waiting webhooks at once; past that, new messages go
straight to the workers, so a burst cannot pile up tasks (and answer slowly)."""
BUSY_SECONDS = 1.0
"""After a message went to the background, new ones go straight there this long."""
ACCEPT_TIMEOUT = 4.0
"""Seconds storing a message may take (WTFC_ACCEPT_TIMEOUT_MS) before the webhook stops
waiting and answers 503, well inside Twilio's 15. Storing itself carries on (see
`LATE_STORES`)."""
LATE_STORES = 1000
"""Stores past their deadline a process lets finish. Twilio does not retry a 503, so a
store cancelled at the deadline was a message lost (16 of 28,741 in a 4x burst on
SQLite); one let finish is processed like any other and its replies go through the
outbox. Past this many at once (a database that hangs rather than refuses) new ones are
cancelled instead, so an outage cannot pile up tasks without bound."""
LATE_TRIES = 3
"""Times a message past its deadline is stored in all: a store that meets an overload
(every pooled connection busy for `pool_timeout`, a statement timing out) goes again.
In a 4x burst on PostgreSQL, 23 of the 310 messages answered 503 were never stored when
a store had one go only; with three, none was lost in the next run."""
WAIT_LIMIT = 30.0
"""How long a caller without a budget (the terminal chat) waits for its turn."""
GIVE_WAY_ROUNDS = 50
GIVE_WAY_SECONDS = 0.005
"""Processing and sending wait up to 250 ms while webhooks are storing: in one process
(one core) a burst's answers must not queue behind the backlog's steps."""


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
    pending: bool = False
    """Stored, but not processed within the budget: the replies come later (through the
    outbox, or for the web chat by polling), never in this answer."""


PENDING_RESULT = IntakeResult(replies=(), language="en", pending=True)


class Handoff:
    """Who delivers one message's replies: the waiting HTTP answer, or the background.

    The webhook waits a short budget for the conversation step. The step, just
    before it stores the replies, claims the answer; the webhook, when its budget
    runs out, gives up. Whichever comes first wins, with no await in between
    (one event loop), so the replies go exactly one way: in the HTTP answer, or
    through the outbox or the web chat's poll.
    """

    def __init__(self) -> None:
        self._state: Literal["waiting", "inline", "background"] = "waiting"

    def claim_answer(self) -> bool:
        """The step finished in time: its replies go in the HTTP answer."""
        if self._state == "waiting":
            self._state = "inline"
        return self._state == "inline"

    def give_up(self) -> bool:
        """The budget ran out. False if the step has already claimed the answer."""
        if self._state == "waiting":
            self._state = "background"
        return self._state == "background"


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
    inline_budget: float | None = None
    """Seconds a webhook waits for the step (WTFC_INLINE_BUDGET_MS); 0 never waits."""
    polled_channels: frozenset[str] = field(default_factory=polled_channels)
    """Channels whose page picks up late replies by polling (the web chat)."""
    accept_timeout: float = ACCEPT_TIMEOUT
    """Seconds `handle` waits for storing before it raises TimeoutError (the webhook
    answers 503); storing carries on, or is rolled back whole (`_accept_within`)."""
    max_inline: int = MAX_INLINE
    busy_seconds: float = BUSY_SECONDS
    monotonic: Callable[[], float] = time.monotonic
    """Where the inline budget is measured (tests give a fake clock)."""
    notify: Callable[[], None] = lambda: None
    """Called when replies were queued in the outbox (wakes the dispatcher)."""
    work: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a message was left for the background workers."""
    _busy_until: float = field(default=0.0, init=False, repr=False)
    accepting: int = field(default=0, init=False)
    """Webhooks storing a message right now: workers let them go first."""
    _inline: set[asyncio.Task[IntakeResult | None]] = field(
        default_factory=set, init=False, repr=False
    )
    late_stores: int = LATE_STORES
    late_retries: int = field(default=0, init=False)
    """Stores past their deadline tried again after an overload (for the log and tests)."""
    _late: set[asyncio.Task[inbound_queue.Accepted]] = field(
        default_factory=set, init=False, repr=False
    )

    async def handle(self, message: InboundMessage, *, budget: float | None = None) -> IntakeResult:
        """Store one message, then process it within `budget` seconds (None: wait).

        The budget counts from the call: the step gets what storing left of it. Raises
        TooManyMessagesError for a flooding sender, and TimeoutError when storing took
        longer than `accept_timeout` (a busy database: the message may yet be stored, and
        is then processed like any other, its replies through the outbox). A result with
        `pending` means the message is stored and a worker will process it.
        """
        started = self.monotonic()
        address_hash = self.vault.lookup_hash(message.address)
        self.limiter.check(message.channel + ":" + address_hash)
        message = replace(message, text=storable_text(message.text))
        external_id = message.external_id or f"local-{uuid.uuid4()}"
        self.accepting += 1
        try:
            accepted = await self._accept_within(message, external_id, address_hash)
        finally:
            self.accepting -= 1
        if accepted.existing is not None:
            return _replay(accepted.existing)
        if budget is not None:
            budget -= self.monotonic() - started
        return await self._answer(accepted.row_id, budget)

    async def _accept_within(
        self, message: InboundMessage, external_id: str, address_hash: str
    ) -> inbound_queue.Accepted:
        """`_accept`, waited for at most `accept_timeout` seconds (then TimeoutError).

        Storing runs as a task of its own, so the answer need not wait for it. Past the
        deadline the task is left to finish (up to `late_stores` at once): a message
        stored late is processed by a worker and answered through the outbox, and the
        sender's retry, if any, finds it stored (deduplicated). A store that fails, or is
        cancelled beyond the limit, is rolled back whole: never half a message.
        """
        storing = asyncio.create_task(self._accept(message, external_id, address_hash))
        try:
            done, _ = await asyncio.wait({storing}, timeout=self.accept_timeout)
        except asyncio.CancelledError:
            storing.cancel()
            raise
        if not done:
            if len(self._late) < self.late_stores:
                self._store_late(storing, message, external_id, address_hash, LATE_TRIES - 1)
            else:
                storing.cancel()
                storing.add_done_callback(_forget)
            raise TimeoutError(f"storing took over {self.accept_timeout} s")
        return storing.result()

    async def settle(self, timeout: float | None = None) -> int:
        """Wait up to `timeout` seconds for the stores past their deadline: at shutdown,
        before the database closes, so a message still being stored is not cut off.
        Returns how many are still running."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._late:  # a store that met an overload may have been tried again
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                break
            await asyncio.wait(set(self._late), timeout=left)
            await asyncio.sleep(0)  # the done callbacks run, and may start another try
        return sum(not storing.done() for storing in self._late)

    def _store_late(
        self,
        storing: asyncio.Task[inbound_queue.Accepted],
        message: InboundMessage,
        external_id: str,
        address_hash: str,
        tries_left: int,
    ) -> None:
        """Let `storing` finish past its deadline; if it meets an overload (no pooled
        connection free in time, the database not answering in time), store again, up
        to `tries_left` more times: storing twice is safe (deduplicated)."""
        self._late.add(storing)

        def ended(task: asyncio.Task[inbound_queue.Accepted]) -> None:
            self._late.discard(task)
            if task.cancelled():
                return
            error = task.exception()
            if error is None:
                log.info("a message was stored after its webhook's deadline; replies go later")
                self.work.set()
            elif tries_left and outage.is_outage(error):
                self.late_retries += 1
                again = asyncio.create_task(self._accept(message, external_id, address_hash))
                self._store_late(again, message, external_id, address_hash, tries_left - 1)
            else:
                log.warning(
                    "a message could not be stored after its deadline: %s", type(error).__name__
                )

        storing.add_done_callback(ended)

    async def _accept(
        self, message: InboundMessage, external_id: str, address_hash: str
    ) -> inbound_queue.Accepted:
        """The one insert and commit that make the message safe."""
        async with self.sessions() as session, session.begin():
            if self.counter is not None:  # across processes; raising stores nothing
                await self.counter.count(
                    session,
                    "sender:" + message.channel + ":" + address_hash,
                    limit=self.limiter.limit,
                    window=self.limiter.window,
                    now=self.clock().timestamp(),
                )
            return await inbound_queue.accept(
                session=session,
                channel=message.channel,
                external_id=external_id,
                sender=address_hash,
                address_encrypted=self.vault.encrypt(message.address),
                text=message.text,
                kind=message.kind,
                turn=message.turn,
                join_code=message.join_code,
                language_hint=message.language_hint,
                now=self.clock(),
            )

    async def _answer(self, row_id: int, budget: float | None) -> IntakeResult:
        """Process the stored message now if it fits the budget, else leave it to a worker."""
        if budget is None:
            return await self._wait_for(row_id)
        loop = asyncio.get_running_loop()
        if budget <= 0 or len(self._inline) >= self.max_inline or loop.time() < self._busy_until:
            return self._hand_over()
        handoff = Handoff()
        task = asyncio.create_task(self.process(row_id, handoff))
        self._inline.add(task)
        task.add_done_callback(self._inline_done)
        try:
            done, _ = await asyncio.wait({task}, timeout=budget)
        except asyncio.CancelledError:
            handoff.give_up()  # nobody will read this answer: the replies go the other way
            raise
        if not done and handoff.give_up():
            self._hand_over()
            return PENDING_RESULT  # the task goes on; its replies take the background way
        try:
            result = await asyncio.shield(task)
        except Exception as error:  # the message is stored: an outage leaves it to a worker
            if not outage.report(error, log, "inline processing").is_outage:
                # A bug: a worker would fail the same way, so the message is set aside now.
                async with self.sessions() as session, session.begin():
                    await inbound_queue.record_failure(session, row_id, set_aside=True)
            result = None
        if result is None:
            return self._hand_over()
        return result

    async def _wait_for(self, row_id: int) -> IntakeResult:
        """Process the message here, after the person's earlier ones (which another task
        or process may be processing right now); for callers with nobody to answer later."""
        deadline = asyncio.get_running_loop().time() + WAIT_LIMIT
        while True:
            result = await self.process(row_id)
            if result is not None:
                return result
            async with self.sessions() as session:
                row = await session.get(InboundLog, row_id)
                if row is not None and row.status != inbound_queue.PENDING:
                    return replace(_replay(row), replayed=False)  # a worker got there first
            if asyncio.get_running_loop().time() > deadline:
                return PENDING_RESULT
            await asyncio.sleep(0.01)

    def _hand_over(self) -> IntakeResult:
        """Leave the message to the workers, and the next ones for a moment too: once
        one step missed its budget, trying more inline only slows the webhooks down."""
        self._busy_until = asyncio.get_running_loop().time() + self.busy_seconds
        self.work.set()
        return PENDING_RESULT

    async def give_way(self) -> None:
        """Let webhooks that are storing a message go first, for a few milliseconds.

        Storing is what keeps a webhook's answer quick in a burst; processing and
        sending can wait. Bounded, so the backlog still moves while webhooks are busy."""
        for _ in range(GIVE_WAY_ROUNDS):
            if not self.accepting:
                return
            await asyncio.sleep(GIVE_WAY_SECONDS)

    def _inline_done(self, task: asyncio.Task[IntakeResult | None]) -> None:
        self._inline.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.work.set()

    async def process(self, row_id: int, handoff: Handoff | None = None) -> IntakeResult | None:
        """Process one stored message in its own transaction; None if it cannot be now.

        Without a handoff the caller waits for the answer (the terminal chat, tests).
        """
        async with self.sessions() as session, session.begin():
            row = await inbound_queue.take(session, row_id)
            if row is None:
                return None
            result, queued = await self._process_row(session, row, handoff, background=False)
        await self._after_commit(session, queued)
        return result

    async def _after_commit(self, session: AsyncSession, queued: bool) -> None:
        if erasure.erased_in(session):  # DELETE then YES: committed, now off the disk
            await erasure.scrub(self.sessions.kw["bind"])
        if queued:
            self.notify()

    async def process_next(self, limit: int = 1) -> int:
        """A worker's step: process the oldest messages that may go next, at most `limit`
        (one per person) in one transaction. Returns how many; 0 if none could go.

        One transaction for several messages is what a backlog needs: opening and
        committing one costs about a tenth of a step on SQLite. Each message's changes
        are flushed before the next one starts, so a step that raises is known: a bug
        sets that message aside and the others, rolled back with it, are taken again.
        """
        current: int | None = None
        queued = False
        try:
            async with self.sessions() as session, session.begin():
                rows = await inbound_queue.take_next(session, limit)
                for row in rows:
                    current = row.id
                    _result, queued_now = await self._process_row(
                        session, row, None, background=True
                    )
                    await session.flush()  # its failure is its own, not the next one's
                    queued = queued or queued_now
        except Exception as error:
            if current is not None:  # a bug is set aside at once; an outage may pass
                async with self.sessions() as session, session.begin():
                    await inbound_queue.record_failure(
                        session, current, set_aside=not outage.is_outage(error)
                    )
            raise
        await self._after_commit(session, queued)
        return len(rows)

    async def _process_row(
        self,
        session: AsyncSession,
        row: inbound_queue.Taken,
        handoff: Handoff | None,
        *,
        background: bool,
    ) -> tuple[IntakeResult, bool]:
        """Run the step for a locked row, mark it done; True when replies were queued."""
        assert row.address_encrypted is not None
        message = InboundMessage(
            channel=row.channel,
            address=self.vault.decrypt(row.address_encrypted),
            text=row.text or "",
            external_id=row.external_id,
            kind=cast(InboundKind, row.kind or "text"),
            turn=row.turn,
            join_code=row.join_code,
            language_hint=row.language_hint,
        )
        now = self.clock()
        participant = await get_locked(
            session=session, vault=self.vault, channel=message.channel, address=message.address
        )
        assert participant is not None
        record = EffectList()
        outcome = await self._step(session, message, participant, now, record)
        late = background or (handoff is not None and not handoff.claim_answer())
        via = self._reply_via(message.channel, late)
        await inbound_queue.finish(
            session,
            row.id,
            inbound_queue.Done(
                processed_at=now,
                participant_id=outcome.participant.id if outcome.participant else None,
                response_id=outcome.response.id if outcome.response else None,
                text=message.text if outcome.participant else None,
                replies=[reply_to_dict(r) for r in outcome.replies],
                language=outcome.language,
                reply_via=via,
                effects=record.effects,
                erased=outcome.participant is None,
            ),
        )
        queued = False
        if outcome.queue and outcome.replies and via == "outbox":
            await self._queue(session, message.channel, participant, outcome.response, outcome)
            queued = True
        result = IntakeResult(
            # A queued channel's caller reads them only to know some were queued.
            replies=() if late else outcome.replies,
            language=outcome.language,
            response_id=outcome.response.id if outcome.response else None,
            opted_out=participant.opted_out if outcome.participant else False,
            pending=late,
        )
        return result, queued

    def _reply_via(self, channel: str, late: bool) -> inbound_queue.ReplyVia:
        """Where the replies go: the outbox for Telegram always; for the others the
        HTTP answer when the step finished in time, else the outbox or the poll."""
        if channel in self.queued_channels:
            return "outbox"
        if not late:
            return "answer"
        return "poll" if channel in self.polled_channels else "outbox"

    async def _step(
        self,
        session: AsyncSession,
        message: InboundMessage,
        participant: Participant,
        now: datetime,
        log: EffectRecord,
    ) -> _Outcome:
        """Route the message, run the engine and apply what it says happened.

        Every change goes through `apply_step`, which keeps the effects on `log`."""
        vote = parse_vote(message.text)
        if vote is not None:  # a workshop vote (VOTE 2 5 7), whatever the conversation
            replies, language = await answer_vote(
                session=session, participant=participant, request=vote, now=now
            )
            return _Outcome(replies, language, participant, None)
        latest = await routing.latest(session, participant.id, message.text)
        answered = await feedback.answered_round(
            session=session,
            participant=participant,
            text=message.text if message.kind == "text" else "",
            joining=message.join_code is not None,
            now=now,
            latest_status=latest.response.status if latest.response else None,
        )
        if answered is not None:
            # A reply to a "you said, we did" round: kept on the round, thanked, nothing started.
            feedback.keep_reply(
                session=session,
                recipient=answered,
                participant=participant,
                text=message.text,
                now=now,
            )
            return _Outcome((Reply(key="feedback_thanks"),), answered.language, participant, None)
        route = await routing.route(
            session=session,
            participant=participant,
            text=message.text,
            join_code=message.join_code,
            kind=message.kind,
            now=now,
            known=latest,
        )
        if route.response is None:
            lobby_step = lobby.lobby_step(
                message.text, opted_out=participant.opted_out, offers=route.offers
            )
            await apply_step(
                session=session,
                effects=lobby_step.effects,
                response=None,
                participant=participant,
                now=now,
                log=log,
            )
            replies = lobby_step.replies
            language = first_language(routing.LOBBY_LANGUAGES, message.language_hint)
            return _Outcome(replies, language, participant, None)
        if route.left is not None:
            await apply_step(
                session=session,
                effects=(Paused(),),
                response=route.left,
                participant=participant,
                now=now,
                log=log,
            )
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
            return _Outcome((), response.language, participant, response, queue=False)
        step = replace(step, replies=route.told + step.replies)
        implied = history.bookkeeping(
            first_step=not response.state,
            language=response.language,
            status=response.status,
            state=step.state,
            effects=step.effects,
            opted_out=participant.opted_out,
        )
        await _save_state(session, response, step.state, now)
        kept = await apply_step(
            session=session,
            effects=implied + step.effects,
            response=response,
            participant=participant,
            now=now,
            log=log,
            alerts=self.alerts,
        )
        if not kept:
            return _Outcome(step.replies, response.language, None, None, queue=False)
        return _Outcome(step.replies, response.language, participant, response)

    async def _queue(
        self,
        session: AsyncSession,
        channel: str,
        participant: Participant,
        response: Response | None,
        outcome: _Outcome,
    ) -> None:
        """The replies, in order, as one Core insert: nothing reads them back as objects."""
        now = self.clock()
        await session.execute(
            _INSERT_OUTBOX,
            [
                {
                    "channel": channel,
                    "participant_id": participant.id,
                    "response_id": response.id if response else None,
                    "kind": "reply",
                    "payload": reply_to_dict(reply),
                    "language": outcome.language,
                    "next_attempt_at": now,
                }
                for reply in outcome.replies
            ],
        )


_INSERT_OUTBOX = insert(table(OutboxMessage))
_RESPONSES = table(Response)
_SAVE_STATE = (
    update(_RESPONSES)
    .where(_RESPONSES.c.id == bindparam("response_id"))
    .values(state=bindparam("state"), last_activity_at=bindparam("now"))
)


async def _save_state(
    session: AsyncSession, response: Response, state: dict[str, Any], now: datetime
) -> None:
    """The conversation's new state, written with one Core UPDATE.

    Every step writes it, and in most steps nothing else of the response changes: the
    ORM's unit of work for that one row cost more than the statement (issue 17). The
    object is told the values are stored, so it stays clean; a response not yet in the
    database (pending) is left to the ORM's flush."""
    if not inspect(response).persistent:
        response.state = state
        response.last_activity_at = now
        return
    await session.execute(_SAVE_STATE, {"response_id": response.id, "state": state, "now": now})
    set_committed_value(response, "state", state)
    set_committed_value(response, "last_activity_at", now)


@dataclass(frozen=True)
class _Outcome:
    """What one step produced, before it is stored."""

    replies: tuple[Reply, ...]
    language: str
    participant: Participant | None
    """None when the person was erased by this message (nothing may point at them)."""
    response: Response | None
    queue: bool = True


def _forget(task: asyncio.Task[inbound_queue.Accepted]) -> None:
    """Read the outcome of a store cancelled at its deadline, so asyncio does not log
    it as lost."""
    if not task.cancelled() and task.exception() is not None:
        log.info("a cancelled store ended with %s", type(task.exception()).__name__)


def _replay(row: InboundLog) -> IntakeResult:
    """The answer to a message stored before: its replies again if they went in the answer."""
    if row.status != inbound_queue.DONE:
        return replace(PENDING_RESULT, replayed=True)
    replies = tuple(reply_from_dict(r) for r in row.replies) if row.reply_via != "outbox" else ()
    return IntakeResult(
        replies=replies, language=row.language, replayed=True, response_id=row.response_id
    )


__all__ = ["Handoff", "InboundMessage", "Intake", "IntakeResult", "storable_text"]
