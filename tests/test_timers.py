"""Reminders for people who went quiet, and closing long-quiet responses as partial."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from collection.intake import InboundMessage
from collection.models import OutboxMessage, Response
from collection.programmes import create_programme
from collection.runtime import Services
from collection.timers import Timers

START = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)  # 12:00 in London (summer time)


async def _start(services: Services, channel: str = "sms", stop: bool = False) -> None:
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK")
    services.intake.clock = lambda: START
    for text in ("PARK", "YES", "1", "Going out", *(("STOP",) if stop else ())):
        await services.intake.handle(
            InboundMessage(channel=channel, address="+447700900123", text=text)
        )


async def _reminders(services: Services) -> list[OutboxMessage]:
    async with services.sessions() as session:
        rows = await session.execute(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
        return list(rows.scalars())


async def test_one_reminder_after_a_day_then_no_more(services: Services) -> None:
    """Quiet for 24 hours: one reminder with the current question; never a second by default."""
    await _start(services)
    timers = Timers(services.sessions)
    assert await timers.send_reminders(START + timedelta(hours=23)) == 0
    assert await timers.send_reminders(START + timedelta(hours=25)) == 1
    assert await timers.send_reminders(START + timedelta(hours=50)) == 0
    sent = await _reminders(services)
    assert [row.payload["key"] for row in sent] == ["reminder", "ask_working"]


async def test_no_reminder_after_stop(services: Services) -> None:
    """Someone who said STOP is never reminded."""
    await _start(services, stop=True)
    assert await Timers(services.sessions).send_reminders(START + timedelta(hours=30)) == 0


async def test_no_reminder_at_night_uk_time(services: Services) -> None:
    """Reminders wait for 9am to 8pm UK time."""
    await _start(services)
    timers = Timers(services.sessions)
    night = datetime(2026, 6, 11, 21, 30, tzinfo=UTC)  # 22:30 in London
    assert (await timers.run(night))[0] == 0
    morning = datetime(2026, 6, 12, 8, 30, tzinfo=UTC)  # 09:30 in London
    assert (await timers.run(morning))[0] == 1


async def test_no_reminder_on_the_kiosk(services: Services) -> None:
    """Nobody can be reached on the web chat later."""
    await _start(services, channel="web")
    assert await Timers(services.sessions).send_reminders(START + timedelta(hours=30)) == 0


async def test_quiet_for_a_week_closes_as_partial_and_can_resume(services: Services) -> None:
    """After 7 quiet days the response is partial; a later message carries on where it was."""
    await _start(services)
    timers = Timers(services.sessions)
    assert await timers.close_quiet(START + timedelta(days=6)) == 0
    assert await timers.close_quiet(START + timedelta(days=8)) == 1
    async with services.sessions() as session:
        assert (await session.execute(select(Response.status))).scalar_one() == "partial"
    result = await services.intake.handle(
        InboundMessage(channel="sms", address="+447700900123", text="My flat")
    )
    assert [r.key for r in result.replies] == ["got_statement"]
    async with services.sessions() as session:
        assert (await session.execute(select(Response.status))).scalar_one() == "active"
