"""Reminders for people who went quiet, and closing responses left quiet for days.

Both run through the engine (a `reminder` or `expire` input) inside the same kind
of transaction as an inbound message, so they respect STOP, the conversation
state and the participant lock. Several processes may run them at once: each
response is re-checked under the lock before anything is queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import engine
from bot.model import Inbound
from collection import erasure, outage
from collection.channel_facts import reachable_channels
from collection.db import SessionFactory
from collection.effects import apply_step, own_log
from collection.models import Participant, Programme, Response
from collection.outbox import queue_reply
from collection.programmes import engine_context
from collection.retention import purge_expired_contacts

log = logging.getLogger(__name__)

UK = ZoneInfo("Europe/London")
QUIET_HOURS_END = time(9, 0)
QUIET_HOURS_START = time(20, 0)


def within_sending_hours(now: datetime) -> bool:
    """Reminders go out between 9am and 8pm UK time only."""
    local = now.astimezone(UK).time()
    return QUIET_HOURS_END <= local < QUIET_HOURS_START


@dataclass
class Timers:
    sessions: SessionFactory
    broken: set[int] = field(default_factory=set)
    """Responses whose reminder or closing raised a bug: skipped until the next restart,
    logged once, so one bad response neither stops everyone after it nor fills the log
    every minute. An outage is not recorded here: the whole run stops and tries again."""

    async def run(self, now: datetime) -> tuple[int, int]:
        """Send due reminders, close quiet responses, apply retention; (reminded, closed)."""
        reminded = await self.send_reminders(now) if within_sending_hours(now) else 0
        closed = await self.close_quiet(now)
        async with self.sessions() as session, session.begin():
            purged = await purge_expired_contacts(session=session, now=now)
        if purged:  # contact details and message text went: off the disk too
            await erasure.scrub(self.sessions.kw["bind"])
        return reminded, closed

    async def _candidates(self, session: AsyncSession) -> list[tuple[int, int]]:
        rows = await session.execute(
            select(Response.id, Response.participant_id)
            .join(Programme, Programme.id == Response.programme_id)
            .join(Participant, Participant.id == Response.participant_id)
            .where(
                Response.status == "active",
                Response.channel.in_(reachable_channels()),
                Programme.status == "collecting",
                Participant.opted_out.is_(False),
            )
        )
        return [(r, p) for r, p in rows.all() if p is not None]

    async def send_reminders(self, now: datetime) -> int:
        async with self.sessions() as session:
            candidates = await self._candidates(session)
        sent = 0
        for response_id, participant_id in candidates:
            if response_id in self.broken:
                continue
            try:
                async with self.sessions() as session, session.begin():
                    if await self._remind_one(session, response_id, participant_id, now):
                        sent += 1
            except Exception as error:
                self._set_aside(error, response_id, "reminder")
        return sent

    def _set_aside(self, error: Exception, response_id: int, what: str) -> None:
        """Re-raise an outage (the run stops); log a bug once and skip its response."""
        if outage.is_outage(error):
            raise error
        outage.report(error, log, f"{what} for response {response_id}")
        self.broken.add(response_id)

    async def _remind_one(
        self, session: AsyncSession, response_id: int, participant_id: int, now: datetime
    ) -> bool:
        participant = (
            await session.execute(
                select(Participant).where(Participant.id == participant_id).with_for_update()
            )
        ).scalar_one_or_none()
        response = await session.get(Response, response_id)
        if participant is None or response is None or participant.opted_out:
            return False
        programme = await session.get(Programme, response.programme_id)
        assert programme is not None
        due_at = response.last_activity_at + timedelta(
            hours=programme.reminder_after_hours * (response.reminders_sent + 1)
        )
        if (
            response.status != "active"
            or response.reminders_sent >= programme.reminder_count
            or now < due_at
        ):
            return False
        context = engine_context(programme, channel=response.channel, opted_out=False, now=now)
        step = engine.step(response.state, Inbound(kind="reminder"), context)
        if not step.replies:
            return False
        response.state = step.state
        response.reminders_sent += 1
        for reply in step.replies:
            queue_reply(
                session=session,
                channel=response.channel,
                participant_id=participant.id,
                reply=reply,
                language=response.language,
                kind="reminder",
                response_id=response.id,
                now=now,
            )
        return True

    async def close_quiet(self, now: datetime) -> int:
        async with self.sessions() as session:
            rows = await session.execute(
                select(Response.id, Programme.quiet_close_days, Response.last_activity_at)
                .join(Programme, Programme.id == Response.programme_id)
                .where(Response.status == "active")
            )
            due = [rid for rid, days, last in rows.all() if now - last >= timedelta(days=days)]
        closed = 0
        for response_id in due:
            if response_id in self.broken:
                continue
            try:
                closed += await self._close_one(response_id, now)
            except Exception as error:
                self._set_aside(error, response_id, "closing")
        return closed

    async def _close_one(self, response_id: int, now: datetime) -> int:
        async with self.sessions() as session, session.begin():
            response = await session.get(Response, response_id, with_for_update=True)
            if response is None or response.status != "active":
                return 0
            programme = await session.get(Programme, response.programme_id)
            assert programme is not None
            context = engine_context(programme, channel=response.channel, opted_out=False, now=now)
            step = engine.step(response.state, Inbound(kind="expire"), context)
            response.state = step.state
            await apply_step(
                session=session,
                effects=step.effects,
                response=response,
                participant=None,
                now=now,
                log=(
                    own_log(session=session, source="timer", response=response, now=now)
                    if step.effects
                    else None
                ),
            )
        return 1


async def run_timers(timers: Timers, stop: asyncio.Event, every: float = 60.0) -> None:
    """Check reminders and quiet responses once a minute until `stop` is set."""
    while not stop.is_set():
        try:
            await timers.run(datetime.now(UTC))
        except Exception as error:  # an outage (or a bug outside one response) must not
            outage.report(error, log, "timers")  # end the loop: again in a minute
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
