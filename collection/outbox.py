"""The outbox: every message we send waits here until a sender confirms it.

Dispatchers may run in several processes at once: rows are claimed with
SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, one person's messages go out in
order (a row is only claimed when nothing older for the same person is
pending), and the send rate is paced through a shared row (see `pacing`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Protocol

from sqlalchemy import String, bindparam, exists, func, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import ReturningUpdate
from sqlalchemy.sql.elements import ColumnElement

from bot.model import Reply, reply_from_dict, reply_to_dict
from collection import outage
from collection.crypto import AddressDecryptError, AddressVault
from collection.db import SessionFactory
from collection.models import InboundLog, OutboxMessage, Participant, table
from collection.pacing import WALL_CLOCK, PaceClock, reserve_slot

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
ALERT_MAX_ATTEMPTS = 200
"""Safeguarding alerts keep trying through a long mail server outage (the backoff
reaches an hour, so about a week) rather than give up after minutes."""
PACE_MARGIN = 0.975
"""Slots are spaced for 97.5% of the configured rate: the network adds jitter between a
slot and the request's arrival, and the provider's limit must hold in every second."""
MAX_IN_FLIGHT = 50
"""Sends started but not yet answered, per dispatcher, before it waits for them."""
STUCK_AFTER = timedelta(minutes=2)
"""A row left 'sending' longer than this was being sent by a process that died."""
LOOP_BACKOFF = (1, 2, 10, 20, 60)
"""How many idle periods the loop waits after 0, 1, 2... consecutive failures: an outage
or a bug in the claim is not asked about twice a second."""
ALWAYS_SEND = frozenset({"stopped"})
"""The STOP confirmation is the one message sent to an address that has opted out."""


@dataclass(frozen=True)
class SendResult:
    """What a channel's sender says about one attempt."""

    ok: bool
    provider_id: str | None = None
    retry: bool = False
    retry_after: float | None = None
    opted_out: bool = False
    error: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """A message for a sender: where, what (an engine reply) and in which language."""

    id: int
    channel: str
    address: str
    reply: Reply
    language: str
    kind: str
    last_inbound_at: datetime | None = None
    """When the person last wrote to us on this channel (WhatsApp's 24-hour window)."""
    at: datetime | None = None
    """The dispatcher's clock when the message was prepared."""


class Sender(Protocol):
    """A channel's way out (Twilio, Telegram). It renders the reply for its channel."""

    pace_key: str
    messages_per_second: float

    async def send(self, message: Outgoing) -> SendResult: ...


class Prepared(NamedTuple):
    """A claimed row ready to go: what to send, through which sender, and when."""

    row_id: int
    outgoing: Outgoing
    sender: Sender
    slot: float


def queue_reply(
    *,
    session: AsyncSession,
    channel: str,
    participant_id: int,
    reply: Reply,
    language: str,
    kind: str,
    response_id: int | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    row = OutboxMessage(
        channel=channel,
        participant_id=participant_id,
        response_id=response_id,
        kind=kind,
        payload=reply_to_dict(reply),
        language=language,
        next_attempt_at=now or datetime.now(UTC),
    )
    session.add(row)
    return row


_OUTBOX = table(OutboxMessage)
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(
        status="sent",
        sent_at=bindparam("sent_at", type_=_OUTBOX.c.sent_at.type),
        provider_id=bindparam("provider_id"),
        last_error=bindparam("last_error"),
    )
)
"""Sends that went, marked in one executemany: a Core statement, since the ORM's bulk
update by primary key spent more Python per row than the row's write."""


def _sql(status: str) -> ColumnElement[str]:
    """A status written into the statement's text rather than bound as a parameter."""
    return literal_column(f"'{status}'", String)


def _max_attempts(kind: str) -> int:
    return ALERT_MAX_ATTEMPTS if kind == "alert" else MAX_ATTEMPTS


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s ... up to an hour between attempts."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


@dataclass
class Dispatcher:
    sessions: SessionFactory
    vault: AddressVault
    senders: Mapping[str, Sender]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    batch: int = 10
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a reply was queued (a Telegram update): the next poll starts at once."""
    give_way: Callable[[], Awaitable[None]] | None = None
    """Awaited before each claim and each send's database work: lets webhooks that are
    storing a message go first (see `Intake.give_way`), so a burst's answers stay quick."""
    pace_clock: PaceClock = WALL_CLOCK
    """Where the send pace reads the time and waits (tests give a FakePaceClock)."""
    _in_flight: set[asyncio.Task[None]] = field(default_factory=set, init=False, repr=False)
    _unrecorded: list[tuple[int, SendResult, asyncio.Future[None]]] = field(
        default_factory=list, init=False, repr=False
    )
    _recorder: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    async def recover_stuck(self) -> int:
        """Put back rows a crashed process left 'sending' (we resend: see README)."""
        cutoff = self.clock() - STUCK_AFTER
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < cutoff)
                .values(status="queued", next_attempt_at=self.clock())
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def claim(self) -> list[int]:
        """Mark up to `batch` due rows `sending` and return their ids, oldest first.

        One statement, `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED
        LIMIT n) RETURNING id`: one round trip, and on PostgreSQL rows another
        dispatcher holds are skipped, not waited for. A row is due when nothing older
        of the same person is still queued or sending (their messages go in order).
        Both look-ups read partial indexes of the pending rows (migration 0011), whose
        predicates PostgreSQL can only match against statuses written into the SQL.
        """
        parameters = self.claim_parameters(self.clock())
        async with self.sessions() as session, session.begin():
            rows = await session.execute(self.claim_statement, parameters)
            return sorted(rows.scalars())

    def claim_parameters(self, now: datetime) -> dict[str, object]:
        """What `claim_statement` is run with: the time, and the channels sent from."""
        return {"now": now, "channels": list(self.senders)}

    @functools.cached_property
    def claim_statement(self) -> ReturningUpdate[int]:
        """The claim's one statement, built once per dispatcher with the time and the
        channels bound at execution (tests EXPLAIN it on PostgreSQL). Built at every
        claim, building it was about 8% of the server's samples in a burst (py-spy):
        more than running it."""
        now = bindparam("now", type_=_OUTBOX.c.claimed_at.type)
        queued = aliased(OutboxMessage)
        earlier = aliased(OutboxMessage)
        older_pending = exists().where(
            earlier.participant_id == queued.participant_id,
            earlier.id < queued.id,
            earlier.status.in_([_sql("queued"), _sql("sending")]),
        )
        due = (
            select(queued.id)
            .where(
                queued.status == _sql("queued"),
                queued.next_attempt_at <= now,
                queued.channel.in_(bindparam("channels", expanding=True)),
                ~older_pending,
            )
            .order_by(queued.id)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        )
        return (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due))
            .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )

    async def _give_way(self) -> None:
        if self.give_way is not None:
            await self.give_way()

    async def run_once(self, *, wait: bool = True) -> int:
        """Send what is due now. Returns how many rows were attempted.

        The claimed rows are prepared in one transaction (`_prepare`), then each waits
        for its pace slot and its send runs as a task of its own, so a slow provider
        answer does not hold back the next slot (the rate is the configured one, not one
        over the provider's latency). With `wait` the call returns once every send has
        been recorded.
        """
        await self._give_way()
        ids = await self.claim()
        prepared: list[Prepared] = []
        broken: list[tuple[int, str]] = []
        if ids:
            await self._give_way()
            prepared, broken = await self._prepare(ids)
        for row_id, error in broken:
            await self._record(row_id, SendResult(ok=False, error=error))
        for each in prepared:
            await self.pace_clock.sleep_until(each.slot)
            task = asyncio.create_task(self._deliver(each.row_id, each.outgoing, each.sender))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        if wait:
            await self.settle()
        return len(ids)

    async def settle(self) -> None:
        """Wait for every send started by this dispatcher to be recorded."""
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight), return_exceptions=True)

    async def run_forever(self, stop: asyncio.Event, idle: float = 0.5) -> None:
        await self.recover_stuck()
        failures = 0
        while not stop.is_set():
            try:
                sent = await self.run_once(wait=len(self._in_flight) >= MAX_IN_FLIGHT)
                failures = 0
            except Exception as error:  # an outage or a bug must not kill the loop
                outage.report(error, log, "outbox dispatch")
                sent = 0
                failures += 1
            if not sent:
                await self._idle(stop, idle * LOOP_BACKOFF[min(failures, len(LOOP_BACKOFF) - 1)])
        await self.settle()

    async def _idle(self, stop: asyncio.Event, idle: float) -> None:
        """Wait `idle` seconds between empty polls, or less if woken or stopped."""
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
        try:
            await asyncio.wait(waiters, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        self.wake.clear()

    async def _prepare(self, ids: list[int]) -> tuple[list[Prepared], list[tuple[int, str]]]:
        """Load claimed rows and reserve each one's pace slot, in one transaction.

        Returns the rows to send in the order of their slots, and the rows our own code
        could not read with the reason (a bug: each fails alone, the others go on). The
        rows and their people are read with one query each; when they last wrote is read
        only for a message we start (a reply answers them, so WhatsApp's 24-hour window
        is open); each sender's slots are reserved by one upsert (`reserve_slot`), spaced
        by its interval. A batch of replies costs three statements, not three each."""
        async with self.sessions() as session, session.begin():
            rows = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .order_by(OutboxMessage.id)
                )
            ).all()
            people = {
                participant.id: participant
                for participant in await session.scalars(
                    select(Participant).where(
                        Participant.id.in_({row.participant_id for row in rows} - {None})
                    )
                )
            }
            ready: list[tuple[int, Outgoing, Sender]] = []
            broken: list[tuple[int, str]] = []
            for row in rows:
                participant = people.get(row.participant_id) if row.participant_id else None
                try:
                    outgoing = self._outgoing(row, participant)
                except Exception as error:  # this row's payload, say: it fails alone
                    diagnosis = outage.report(error, log, f"outbox row {row.id}")
                    broken.append((row.id, f"bug: {diagnosis.kind}"))
                    continue
                if outgoing is None:
                    continue
                if participant is not None and row.kind != "reply":
                    last = await session.scalar(
                        select(func.max(InboundLog.received_at)).where(
                            InboundLog.participant_id == participant.id
                        )
                    )
                    outgoing = replace(outgoing, last_inbound_at=last)
                outgoing = replace(outgoing, at=self.clock())
                ready.append((row.id, outgoing, self.senders[outgoing.channel]))
            prepared = await self._reserve_slots(session, ready)
        return prepared, broken

    async def _reserve_slots(
        self, session: AsyncSession, ready: list[tuple[int, Outgoing, Sender]]
    ) -> list[Prepared]:
        """Each message's send slot: one upsert per sender for all of its messages."""
        by_key: dict[str, list[tuple[int, Outgoing, Sender]]] = {}
        for each in ready:
            by_key.setdefault(each[2].pace_key, []).append(each)
        prepared: list[Prepared] = []
        for key, group in by_key.items():
            interval = 1 / (group[0][2].messages_per_second * PACE_MARGIN)
            first = await reserve_slot(
                session, key, interval, clock=self.pace_clock, count=len(group)
            )
            prepared += [
                Prepared(row_id, outgoing, sender, first + index * interval)
                for index, (row_id, outgoing, sender) in enumerate(group)
            ]
        return sorted(prepared, key=lambda each: each.slot)

    async def _deliver(self, row_id: int, outgoing: Outgoing, sender: Sender) -> None:
        try:
            result = await sender.send(outgoing)
        except Exception as error:  # a sender bug is retried, never loses the message
            log.exception("sender raised for outbox row %s", row_id)
            result = SendResult(ok=False, retry=True, error=type(error).__name__)
        await self._record(row_id, result)

    def _outgoing(self, row: OutboxMessage, participant: Participant | None) -> Outgoing | None:
        reply = reply_from_dict(row.payload)
        if participant is None and row.address_encrypted is not None:
            # A message to staff (a safeguarding alert): its address is on the row.
            try:
                address = self.vault.decrypt(row.address_encrypted)
            except AddressDecryptError:
                row.status, row.last_error = "failed", "address key mismatch"
                return None
            return Outgoing(row.id, row.channel, address, reply, row.language, row.kind)
        if participant is None or participant.address_encrypted is None:
            row.status, row.last_error = "cancelled", "no address (erased)"
            return None
        if participant.opted_out and reply.key not in ALWAYS_SEND:
            row.status, row.last_error = "cancelled", "opted out"
            return None
        try:
            address = self.vault.decrypt(participant.address_encrypted)
        except AddressDecryptError:
            row.status, row.last_error = "failed", "address key mismatch"
            return None
        return Outgoing(row.id, row.channel, address, reply, row.language, row.kind)

    async def _record(self, row_id: int, result: SendResult) -> None:
        """Write what became of one send; returns once it is committed.

        Answers that arrive while an earlier write is under way are written together,
        in one transaction, by the one `_write_records` task: under load a send's
        record costs a share of a transaction, and at a trickle each is written at
        once, as before (no timer holds a record back)."""
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._unrecorded.append((row_id, result, written))
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._write_records())
        await written

    async def _write_records(self) -> None:
        while self._unrecorded:
            batch, self._unrecorded = self._unrecorded, []
            try:
                await self._write(batch)
            except Exception as error:  # an outage: each send's row stays 'sending'
                for _, _, written in batch:
                    if not written.done():
                        written.set_exception(error)
            else:
                for _, _, written in batch:
                    if not written.done():
                        written.set_result(None)

    async def _write(self, batch: list[tuple[int, SendResult, asyncio.Future[None]]]) -> None:
        now = self.clock()
        sent = [
            {
                "row_id": row_id,
                "sent_at": now,
                "provider_id": result.provider_id,
                "last_error": result.error,
            }
            for row_id, result, _ in batch
            if result.ok
        ]
        async with self.sessions() as session, session.begin():
            if sent:  # the common case: one statement for every send that went
                await session.execute(_MARK_SENT, sent)
            for row_id, result, _ in batch:
                if not result.ok:
                    await self._record_failure(session, row_id, result, now)

    @staticmethod
    async def _record_failure(
        session: AsyncSession, row_id: int, result: SendResult, now: datetime
    ) -> None:
        row = await session.get(OutboxMessage, row_id)
        if row is None:
            return
        row.last_error = result.error
        if result.opted_out:
            row.status = "failed"
            if row.participant_id is not None:
                await session.execute(
                    update(Participant)
                    .where(Participant.id == row.participant_id)
                    .values(opted_out=True, opted_out_at=now)
                )
        elif result.retry and row.attempts < _max_attempts(row.kind):
            delay = (
                timedelta(seconds=result.retry_after)
                if result.retry_after
                else backoff(row.attempts)
            )
            row.status, row.next_attempt_at = "queued", now + delay
        else:
            row.status = "failed"
