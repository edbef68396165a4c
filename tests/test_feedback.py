"""'You said, we did' rounds: who gets them, once each, replies kept on the round, repeats.

People take part through the real intake (whole conversations); sending goes
through the real outbox dispatcher. The channel at the far end is a recording
`Sender` here (the end-to-end tests against Prism and the Telegram emulator are
in test_feedback_e2e.py).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collection import feedback
from collection.delivery import record_delivery
from collection.models import (
    FeedbackRecipient,
    FeedbackReply,
    OutboxMessage,
    Programme,
    Response,
    Statement,
)
from collection.outbox import Dispatcher, Outgoing, SendResult
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.feedback import park, responses, say, take_part

TEXTS = {
    "en": "You said the bus was late. We changed the timetable.",
    "cy": "Dywedoch fod y bws yn hwyr. Rydyn ni wedi newid yr amserlen.",
}


@dataclass
class RecordingSender:
    """Stands in for a provider: records what it was asked to send and says it went."""

    pace_key: str
    messages_per_second: float = 1000.0
    sent: list[Outgoing] = field(default_factory=list)

    async def send(self, message: Outgoing) -> SendResult:
        self.sent.append(message)
        return SendResult(ok=True, provider_id=f"SM{len(self.sent):032d}")


def dispatcher(services: Services, clock: list[datetime]) -> tuple[Dispatcher, RecordingSender]:
    sender = RecordingSender("test")
    senders = {channel: sender for channel in ("sms", "whatsapp", "telegram")}
    return Dispatcher(services.sessions, services.vault, senders, clock=lambda: clock[0]), sender


async def _send_all(d: Dispatcher) -> None:
    while await d.run_once():
        pass


async def _programme(session: AsyncSession) -> Programme:
    found = await session.scalar(select(Programme).where(Programme.code == "PARK"))
    assert found is not None
    return found


async def _new_round(services: Services, texts: dict[str, str] | None = None) -> int:
    async with services.sessions() as session, session.begin():
        programme = await _programme(session)
        created = await feedback.create_round(
            session=session,
            programme=programme,
            texts=texts or TEXTS,
            actor="lead@example.org",
            now=datetime.now(UTC),
        )
        return created.number


async def _send(services: Services, number: int = 1) -> feedback.SendSummary:
    async with services.sessions() as session, session.begin():
        programme = await _programme(session)
        round_ = await feedback.get_round(session=session, programme=programme, number=number)
        return await feedback.send_round(
            session=session,
            programme=programme,
            round_=round_,
            actor="lead@example.org",
            now=datetime.now(UTC),
        )


async def _feedback_rows(services: Services) -> list[OutboxMessage]:
    async with services.sessions() as session:
        rows = await session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == "feedback").order_by(OutboxMessage.id)
        )
        return list(rows.scalars())


async def _everyone(services: Services) -> None:
    """Who took part, and how: only the first three asked to hear back and can be reached."""
    await park(services)
    await take_part(services, "sms", "+447700900001")
    await take_part(services, "sms", "+447700900002", welsh=True)
    await take_part(services, "telegram", "5012345678", welsh=True)
    await take_part(services, "sms", "+447700900003", hear_back="NO")
    await take_part(services, "sms", "+447700900004")
    await say(services, "sms", "+447700900004", "STOP")
    await take_part(services, "sms", "+447700900005")
    assert await say(services, "sms", "+447700900005", "DELETE") == ["ask_delete"]
    assert await say(services, "sms", "+447700900005", "YES") == ["deleted"]
    for channel, address in (("web", "kiosk-session-1"), ("terminal", "terminal-1")):
        await take_part_without_follow_up_question(services, channel, address)


async def take_part_without_follow_up_question(
    services: Services, channel: str, address: str
) -> None:
    """The kiosk and terminal never ask; their row is forced to YES to prove the channel rule."""
    await say(services, channel, address, "PARK")
    for text in ("YES", "1", "Going out", "DONE", "The bus", "DONE", "A job", "DONE", "YES"):
        await say(services, channel, address, text)
    async with services.sessions() as session, session.begin():
        await session.execute(
            update(Response).where(Response.channel == channel).values(follow_up=True)
        )


async def test_a_round_goes_only_to_those_who_asked_in_their_language(
    services: Services,
) -> None:
    """YES to hearing back, no STOP, not erased, a reachable channel: each in their language."""
    await _everyone(services)
    await _new_round(services)
    summary = await _send(services)
    assert summary.queued == 3
    assert summary.by_channel_language == {
        ("sms", "cy"): 1,
        ("sms", "en"): 1,
        ("telegram", "cy"): 1,
    }
    clock = [datetime.now(UTC)]
    d, sender = dispatcher(services, clock)
    await _send_all(d)
    got = sorted(
        (m.channel, m.address, m.language, m.reply.param_dict()["text"])
        for m in sender.sent
        if m.kind == "feedback"
    )
    assert got == [
        ("sms", "+447700900001", "en", TEXTS["en"]),
        ("sms", "+447700900002", "cy", TEXTS["cy"]),
        ("telegram", "5012345678", "cy", TEXTS["cy"]),
    ]


async def test_pressing_send_twice_sends_nobody_anything_twice(services: Services) -> None:
    """The second press finds everyone already queued: no new message."""
    await _everyone(services)
    await _new_round(services)
    first, second = await _send(services), await _send(services)
    assert (first.queued, second.queued, second.already) == (3, 0, 3)
    assert len(await _feedback_rows(services)) == 3


async def test_two_processes_sending_at_once_queue_each_person_once(services: Services) -> None:
    """Two sends racing (two app processes, two browser tabs) still queue each person once."""
    await _everyone(services)
    await _new_round(services)
    first, second = await asyncio.gather(_send(services), _send(services))
    assert first.queued + second.queued == 3
    async with services.sessions() as session:
        recipients = await session.scalar(select(func.count()).select_from(FeedbackRecipient))
    assert recipients == 3
    assert len(await _feedback_rows(services)) == 3


async def test_someone_who_asks_later_gets_it_on_the_next_press(services: Services) -> None:
    """Pressing send again reaches only the people who became eligible since."""
    await _everyone(services)
    await _new_round(services)
    await _send(services)
    await take_part(services, "whatsapp", "+447700900009")
    later = await _send(services)
    assert (later.queued, later.already) == (1, 3)
    assert later.by_channel_language == {("whatsapp", "en"): 1}


async def test_stop_after_queueing_cancels_the_message(services: Services) -> None:
    """Someone who sends STOP before their turn in the queue gets nothing."""
    await _everyone(services)
    await _new_round(services)
    await _send(services)
    await say(services, "sms", "+447700900001", "STOP")
    d, sender = dispatcher(services, [datetime.now(UTC)])
    await _send_all(d)
    assert "+447700900001" not in {m.address for m in sender.sent if m.kind == "feedback"}
    async with services.sessions() as session, session.begin():
        programme = await _programme(session)
        round_ = await feedback.get_round(session=session, programme=programme, number=1)
        states = await feedback.recipients(session=session, round_=round_)
    assert sorted((s.state, s.reason) for s in states) == [
        ("failed", "opted out"),
        ("sent", None),
        ("sent", None),
    ]


@pytest.mark.parametrize(
    ("texts", "problem"),
    [
        ({"en": "We changed the timetable."}, "missing cy"),
        ({"en": "Yes", "cy": "   "}, "missing cy"),
        ({"en": "Yes", "cy": "Ie", "pl": "Tak"}, "does not use pl"),
        ({"en": "x" * 1001, "cy": "Ie"}, "too long in en"),
    ],
)
async def test_a_round_needs_one_text_for_each_programme_language(
    services: Services, texts: dict[str, str], problem: str
) -> None:
    """Every programme language must have its words, and no other language may."""
    await park(services)
    with pytest.raises(feedback.FeedbackError, match=problem):
        await _new_round(services, texts)


async def test_a_reply_to_the_round_is_kept_on_it_and_starts_nothing(services: Services) -> None:
    """'Thanks, the bus is better' is stored as a reply to the round, not as a statement."""
    await _everyone(services)
    await _new_round(services)
    await _send(services)
    d, _ = dispatcher(services, [datetime.now(UTC)])
    await _send_all(d)
    async with services.sessions() as session:
        statements_before = await session.scalar(select(func.count()).select_from(Statement))
    before = [(r.id, r.status, r.state) for r in await responses(services)]
    assert await say(services, "sms", "+447700900002", "Diolch, mae'r bws yn well") == [
        "feedback_thanks"
    ]
    async with services.sessions() as session:
        [reply] = (await session.execute(select(FeedbackReply))).scalars().all()
        statements_after = await session.scalar(select(func.count()).select_from(Statement))
        programme = await _programme(session)
        round_ = await feedback.get_round(session=session, programme=programme, number=1)
        listed = await feedback.replies(session=session, round_=round_)
    assert reply.text == "Diolch, mae'r bws yn well" and reply.channel == "sms"
    assert statements_after == statements_before
    assert [(r.id, r.status, r.state) for r in await responses(services)] == before
    [(kept, reference)] = listed
    assert kept.id == reply.id and reference is not None and reference.startswith("R-")


async def test_keywords_keep_their_meaning_after_a_round(services: Services) -> None:
    """STOP after a round opts out (and CHANGE still reopens): never kept as a reply."""
    await _everyone(services)
    await _new_round(services)
    await _send(services)
    d, _ = dispatcher(services, [datetime.now(UTC)])
    await _send_all(d)
    assert await say(services, "sms", "+447700900001", "STOP") == ["stopped"]
    assert await say(services, "sms", "+447700900001", "START") != ["feedback_thanks"]
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(FeedbackReply)) == 0


async def test_a_message_long_after_the_round_is_not_taken_as_a_reply(
    services: Services,
) -> None:
    """Two weeks on, a message is the conversation's again ('already done'), not a reply."""
    await _everyone(services)
    await _new_round(services)
    await _send(services)
    d, _ = dispatcher(services, [datetime.now(UTC) - timedelta(days=15)])
    await _send_all(d)
    assert await say(services, "sms", "+447700900001", "Thanks") == ["already_done"]


async def test_a_repeat_is_a_new_round_that_reaches_everyone_again(services: Services) -> None:
    """A second update from the same words is round 2, sent afresh to the same people."""
    await _everyone(services)
    await _new_round(services)
    await _send(services)
    async with services.sessions() as session, session.begin():
        programme = await _programme(session)
        again = await feedback.repeat_round(
            session=session, programme=programme, number=1, actor="lead", now=datetime.now(UTC)
        )
        assert (again.number, again.texts) == (2, TEXTS)
    summary = await _send(services, 2)
    assert summary.queued == 3
    assert len(await _feedback_rows(services)) == 6


async def test_delivery_states_follow_the_reports(services: Services) -> None:
    """Queued, then sent, then delivered or failed with the network's reason."""
    await _everyone(services)
    await _new_round(services)
    await _send(services)

    async def states() -> list[tuple[str, str | None]]:
        async with services.sessions() as session:
            programme = await _programme(session)
            round_ = await feedback.get_round(session=session, programme=programme, number=1)
            return sorted(
                (s.state, s.reason)
                for s in await feedback.recipients(session=session, round_=round_)
            )

    assert await states() == [("queued", None)] * 3
    d, _ = dispatcher(services, [datetime.now(UTC)])
    await _send_all(d)
    assert await states() == [("sent", None)] * 3
    first, second = (m for m in await _feedback_rows(services) if m.channel == "sms")
    async with services.sessions() as session, session.begin():
        now = datetime.now(UTC)
        assert first.provider_id and second.provider_id
        await record_delivery(
            session=session, provider_id=first.provider_id, status="delivered", now=now
        )
        await record_delivery(
            session=session,
            provider_id=second.provider_id,
            status="undelivered",
            error="30003: unreachable handset",
            now=now,
        )
    assert await states() == [
        ("delivered", None),
        ("failed", "30003: unreachable handset"),
        ("sent", None),
    ]


async def test_erasing_a_person_removes_their_reply(services: Services) -> None:
    """DELETE after replying: the reply goes with everything else they told us."""
    await _everyone(services)
    await _new_round(services)
    await _send(services)
    d, _ = dispatcher(services, [datetime.now(UTC)])
    await _send_all(d)
    await say(services, "sms", "+447700900001", "Much better now, thank you")
    assert await say(services, "sms", "+447700900001", "DELETE") == ["ask_delete"]
    assert await say(services, "sms", "+447700900001", "YES") == ["deleted"]
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(FeedbackReply)) == 0
        assert await session.scalar(select(func.count()).select_from(FeedbackRecipient)) == 2


def _wtfc(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WTFC_DATABASE_URL": settings.database_url,
        "WTFC_SECRET_KEY": settings.secret_key,
    }
    return subprocess.run(
        [sys.executable, "-m", "wtfc.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


async def test_wtfc_feedback_send_queues_a_round(settings: Settings, services: Services) -> None:
    """`wtfc feedback send PARK --text en=... --text cy=...` shows the cost and queues it."""
    await _everyone(services)
    done = _wtfc(
        settings,
        "feedback",
        "send",
        "park",
        "--text",
        f"en={TEXTS['en']}",
        "--text",
        f"cy={TEXTS['cy']}",
    )
    assert done.returncode == 0, done.stderr
    assert "en: 1 SMS segment(s)" in done.stdout
    assert "Round 1 of PARK:" in done.stdout and "Queued for 3 people." in done.stdout
    assert "+4477" not in done.stdout
    rows = await _feedback_rows(services)
    assert sorted(r.language for r in rows) == ["cy", "cy", "en"]


async def test_wtfc_feedback_dry_run_sends_nothing(settings: Settings, services: Services) -> None:
    """--dry-run shows whom it would reach and queues nothing."""
    await _everyone(services)
    done = _wtfc(
        settings, "feedback", "send", "PARK", "--dry-run", "--text", "en=Hi", "--text", "cy=Helo"
    )
    assert done.returncode == 0, done.stderr
    assert "Would reach 3 people." in done.stdout
    assert await _feedback_rows(services) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("NOPE", "--text", "en=Hi"), "no programme with the code NOPE"),
        (("PARK", "--text", "en=Hi"), "missing cy"),
        (("PARK", "--text", "Hello"), "LANG=TEXT"),
    ],
)
async def test_wtfc_feedback_send_refuses_with_the_reason(
    settings: Settings, services: Services, args: tuple[str, ...], message: str
) -> None:
    """A wrong code, a missing language or a malformed --text: exit 2 and why."""
    await park(services)
    done = _wtfc(settings, "feedback", "send", *args)
    assert done.returncode == 2
    assert message in done.stderr


async def test_a_programme_code_after_a_round_joins_that_programme(services: Services) -> None:
    """Sending another programme's code is joining it, never a reply to the round."""
    await _everyone(services)
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Riverside", code="RIVER")
    await _new_round(services)
    await _send(services)
    d, _ = dispatcher(services, [datetime.now(UTC)])
    await _send_all(d)
    assert (await say(services, "sms", "+447700900001", "river"))[0] == "welcome"
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(FeedbackReply)) == 0
