"""Invites, reminders and delivery reports through the outbox, against a mock of Twilio's API.

The mock is Prism serving Twilio's own OpenAPI description, behind a proxy that
records every request (and Prism's verdict on it) and injects Twilio's errors.
Senders are built by the app's composition root from settings, as in `wtfc serve`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from bot.model import Reply
from collection.invites import (
    AlreadyInvitedError,
    InvalidNumberError,
    Invite,
    NotCollectingError,
    OptedOutError,
    queue_invite,
)
from collection.models import AuditEntry, OutboxMessage, Participant
from collection.outbox import Dispatcher, Sender, queue_reply
from collection.pacing import FakePaceClock
from collection.programmes import create_programme, get_by_code
from collection.runtime import Services
from collection.settings import Settings
from collection.timers import Timers
from tests.support.fault_proxy import (
    INVALID_NUMBER,
    RATE_LIMITED,
    SERVER_ERROR,
    UNSUBSCRIBED,
    FaultProxy,
    RecordedRequest,
    fault_proxy_fixture,
)
from tests.support.prism import prism_fixture, twilio_spec
from tests.support.twilio_client import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    OUR_NUMBER,
    PERSON,
    TwilioWebhookClient,
)
from wtfc.app import build_senders, build_services, close_senders, create_app

PUBLIC = "https://wtfc.example.org"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
START = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)  # noon in London: inside sending hours

twilio_prism = prism_fixture(twilio_spec, name="twilio_prism")
twilio_proxy = fault_proxy_fixture("twilio_prism", name="twilio_proxy")


@pytest.fixture
def twilio(twilio_proxy: FaultProxy) -> FaultProxy:
    """The session's proxy in front of Prism, with no recorded requests and no faults queued."""
    twilio_proxy.reset()
    return twilio_proxy


WHATSAPP_TEMPLATES = {
    "invite": {"en": "HX" + "1" * 32},
    "reminder": {"en": "HX" + "2" * 32},
    "feedback": {"en": "HX" + "3" * 32},
}
"""Approved WhatsApp templates (Content SIDs) in English only, as WTFC_WHATSAPP_TEMPLATES."""


def sms_settings(settings: Settings, twilio: FaultProxy, mps: float = 50.0) -> Settings:
    """The suite's settings with Twilio switched on and pointed at the mock."""
    return settings.model_copy(
        update={
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": AUTH_TOKEN,
            "twilio_from": OUR_NUMBER,
            "twilio_api_base_url": twilio.base_url,
            "twilio_mps": mps,
            "public_url": PUBLIC,
            "whatsapp_templates": WHATSAPP_TEMPLATES,
        }
    )


@dataclass
class Outbound:
    """The app's pieces for sending: services, senders from the settings, a dispatcher."""

    services: Services
    senders: dict[str, Sender]
    dispatcher: Dispatcher
    now: list[datetime]

    async def send_all(self) -> int:
        """Run the dispatcher until nothing is due; returns how many rows it attempted."""
        attempted = 0
        while sent := await self.dispatcher.run_once():
            attempted += sent
        return attempted

    def later(self, **delta: float) -> None:
        self.now[0] += timedelta(**delta)

    async def rows(self) -> list[OutboxMessage]:
        async with self.services.sessions() as session:
            found = await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
            return list(found.scalars())

    async def participant(self, participant_id: int) -> Participant:
        async with self.services.sessions() as session:
            found = await session.get(Participant, participant_id)
            assert found is not None
            return found

    async def invite(self, number: str = PERSON, **options: object) -> Invite:
        async with self.services.sessions() as session, session.begin():
            programme = await get_by_code(session=session, code="PARK")
            assert programme is not None
            return await queue_invite(
                session=session,
                vault=self.services.vault,
                programme=programme,
                number=number,
                now=self.now[0],
                **options,  # type: ignore[arg-type]
            )


def make_outbound(services: Services, now: list[datetime]) -> Outbound:
    senders = build_senders(services)
    dispatcher = Dispatcher(services.sessions, services.vault, senders, clock=lambda: now[0])
    return Outbound(services, senders, dispatcher, now)


@pytest.fixture
async def outbound(
    settings: Settings, services: Services, twilio: FaultProxy
) -> AsyncIterator[Outbound]:
    """Services with Twilio configured, on the freshly emptied test database."""
    async with services.sessions() as session, session.begin():
        await create_programme(
            session=session,
            name="Park Centre",
            code="PARK",
            purpose="We want to hear what matters to you.",
        )
    built = build_services(sms_settings(settings, twilio))
    try:
        yield make_outbound(built, [datetime.now(UTC)])
    finally:
        await close_senders(built)
        await built.close()


def _only(twilio: FaultProxy) -> RecordedRequest:
    [request] = twilio.requests
    return request


# -- the composition root --------------------------------------------------------------------------


async def test_senders_are_registered_only_when_twilio_is_configured(
    settings: Settings, twilio: FaultProxy
) -> None:
    """SID, token and sender number make SMS and WhatsApp senders; without them, none."""
    without = build_services(settings)
    with_twilio = build_services(sms_settings(settings, twilio, mps=7))
    try:
        assert build_senders(without) == {}
        senders = build_senders(with_twilio)
        assert set(senders) == {"sms", "whatsapp"}
        assert senders["sms"].messages_per_second == 7
        assert senders["sms"].pace_key == f"twilio:sms:{OUR_NUMBER}"
        assert senders["whatsapp"].pace_key == f"twilio:whatsapp:{OUR_NUMBER}"
    finally:
        await close_senders(with_twilio)
        await without.close()
        await with_twilio.close()


# -- invites ---------------------------------------------------------------------------------------


async def test_an_invite_goes_out_as_twilio_expects(outbound: Outbound, twilio: FaultProxy) -> None:
    """Who asks, why, how to reply or STOP; From our number; a status callback; Prism accepts it."""
    invite = await outbound.invite("07700 900123")
    assert await outbound.send_all() == 1
    request = _only(twilio)
    assert (request.method, request.path) == ("POST", MESSAGES_PATH)
    assert request.valid, request.upstream_body
    assert request.form["To"] == PERSON and request.form["From"] == OUR_NUMBER
    assert request.form["StatusCallback"] == PUBLIC + "/webhooks/twilio/status"
    body = request.form["Body"]
    assert body.startswith("Hello from Park Centre. We want to hear what matters to you.")
    assert "Reply PARK to take part, or STOP for no more messages." in body
    [row] = await outbound.rows()
    assert (row.id, row.kind, row.status, row.attempts) == (invite.outbox_id, "invite", "sent", 1)
    assert row.provider_id is not None and row.provider_id.startswith("SM")
    assert invite.masked_number == "+447 ******123"


async def test_a_whatsapp_invite_goes_from_our_whatsapp_address_as_the_invite_template(
    outbound: Outbound, twilio: FaultProxy
) -> None:
    """Someone who never wrote to us is outside the 24-hour window: the approved template goes.

    Both ends carry the whatsapp: prefix; the request names the Content SID and fills its
    variables (name, purpose, code) instead of a Body, and Prism accepts it.
    """
    await outbound.invite(channel="whatsapp")
    await outbound.send_all()
    request = _only(twilio)
    assert request.form["To"] == "whatsapp:" + PERSON
    assert request.form["From"] == "whatsapp:" + OUR_NUMBER
    assert request.valid, request.upstream_body
    assert request.form["ContentSid"] == WHATSAPP_TEMPLATES["invite"]["en"]
    assert json.loads(request.form["ContentVariables"]) == {
        "1": "Park Centre",
        "2": "We want to hear what matters to you.",
        "3": "PARK",
    }
    assert "Body" not in request.form


async def test_a_whatsapp_invite_inside_the_window_is_free_text(
    outbound: Outbound, texting: TwilioWebhookClient, twilio: FaultProxy
) -> None:
    """Someone who wrote to us an hour ago can be sent our own words: no template."""
    assert (await texting.text("hello", whatsapp=True)).status == 200
    outbound.now[0] = START + timedelta(hours=1)
    await outbound.invite(channel="whatsapp")
    await outbound.send_all()
    request = _only(twilio)
    assert request.valid and "ContentSid" not in request.form
    assert request.form["Body"].startswith("Hello from Park Centre.")


async def test_a_whatsapp_invite_in_a_language_without_a_template_is_not_sent(
    outbound: Outbound, twilio: FaultProxy
) -> None:
    """No Welsh template set: nothing is sent (it would be refused, 63016) and the row says why."""
    async with outbound.services.sessions() as session, session.begin():
        programme = await get_by_code(session=session, code="PARK")
        assert programme is not None
        programme.languages = ["cy", "en"]
    await outbound.invite(channel="whatsapp")
    await outbound.send_all()
    assert twilio.requests == []
    [row] = await outbound.rows()
    assert row.status == "failed"
    assert row.last_error == (
        "no WhatsApp template for invite in cy (WTFC_WHATSAPP_TEMPLATES); "
        "the 24-hour window is closed"
    )


async def test_a_whatsapp_reminder_after_a_quiet_day_is_the_reminder_template(
    outbound: Outbound, texting: TwilioWebhookClient, twilio: FaultProxy
) -> None:
    """25 quiet hours close the window: the reminder goes as its template, the question waits."""
    for text in ("PARK", "YES", "1", "Going to the pub on Fridays"):
        assert (await texting.text(text, whatsapp=True)).status == 200
    later = START + timedelta(hours=25)
    assert await Timers(outbound.services.sessions).send_reminders(later) == 1
    outbound.now[0] = later
    await outbound.send_all()
    request = _only(twilio)
    assert request.valid, request.upstream_body
    assert request.form["ContentSid"] == WHATSAPP_TEMPLATES["reminder"]["en"]
    assert "ContentVariables" not in request.form and "Body" not in request.form
    reminder, question = await outbound.rows()
    assert (reminder.status, question.status) == ("sent", "failed")
    assert question.last_error == (
        "outside WhatsApp's 24-hour window: only the reminder template can be sent"
    )


def test_templates_are_read_from_the_environment_as_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """WTFC_WHATSAPP_TEMPLATES is JSON: message, then language, then Content SID."""
    monkeypatch.setenv("WTFC_WHATSAPP_TEMPLATES", json.dumps(WHATSAPP_TEMPLATES))
    assert Settings().whatsapp_templates == WHATSAPP_TEMPLATES


async def test_a_template_setting_that_is_not_a_content_sid_stops_start_up(
    settings: Settings, twilio: FaultProxy
) -> None:
    """A typo in WTFC_WHATSAPP_TEMPLATES is found at start-up, not at the first send."""
    bad = sms_settings(settings, twilio).model_copy(
        update={"whatsapp_templates": {"invite": {"en": "HX123"}}}
    )
    services = build_services(bad)
    try:
        with pytest.raises(ValueError, match=r"invite\.en is not a Content SID"):
            build_senders(services)
    finally:
        await close_senders(services)
        await services.close()


async def test_an_invite_is_audited_by_participant_never_by_number(outbound: Outbound) -> None:
    """The audit log says who invited which participant to what, without the phone number."""
    invite = await outbound.invite(actor="lead@example.org")
    async with outbound.services.sessions() as session:
        entry = (await session.execute(select(AuditEntry))).scalar_one()
    assert (entry.actor, entry.action, entry.target) == ("lead@example.org", "invite.sms", "PARK")
    assert entry.detail == {"participant": invite.participant_id, "outbox": invite.outbox_id}
    assert "7700" not in repr(entry.detail)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("0770090012", "not valid"),
        ("hello", "does not look like a phone number"),
        ("020 7946 0123", "landline"),
        ("0800 800 150", "freephone"),
    ],
)
async def test_numbers_that_cannot_get_a_text_are_refused(
    outbound: Outbound, number: str, reason: str
) -> None:
    """A typo, words, a landline or a freephone number: a clear error, nothing queued."""
    with pytest.raises(InvalidNumberError, match=reason):
        await outbound.invite(number)
    assert await outbound.rows() == []


async def test_a_number_that_said_stop_is_never_invited(
    outbound: Outbound, twilio: FaultProxy
) -> None:
    """After STOP (here by text to our number), staff cannot invite that number."""
    app = create_app(outbound.services.settings, services=outbound.services, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as http:
        await TwilioWebhookClient(http, signed_base=PUBLIC).text("STOP")
    with pytest.raises(OptedOutError, match="sent STOP"):
        await outbound.invite("07700 900123")
    assert await outbound.rows() == []


async def test_an_invite_waiting_to_go_is_not_queued_twice(outbound: Outbound) -> None:
    """A double click queues one invitation, not two."""
    await outbound.invite()
    with pytest.raises(AlreadyInvitedError):
        await outbound.invite("+44 7700 900123")
    assert len(await outbound.rows()) == 1


async def test_a_programme_not_collecting_sends_no_invites(outbound: Outbound) -> None:
    """A closed programme cannot invite anyone."""
    async with outbound.services.sessions() as session, session.begin():
        programme = await get_by_code(session=session, code="PARK")
        assert programme is not None
        programme.status = "closed"
    with pytest.raises(NotCollectingError):
        await outbound.invite()


async def test_replying_yes_to_an_invite_offers_that_programme(
    outbound: Outbound, twilio: FaultProxy
) -> None:
    """An invited person answering "yes", not the code, is told the code they were invited to."""
    async with outbound.services.sessions() as session, session.begin():
        await create_programme(session=session, name="Other Place", code="OTHER")
    await outbound.invite()
    await outbound.send_all()
    app = create_app(outbound.services.settings, services=outbound.services, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as http:
        person = TwilioWebhookClient(http, signed_base=PUBLIC)
        assert "To take part in Park Centre, reply PARK" in (await person.text("yes")).said
        assert "Hello from Park Centre" in (await person.text("park")).said


# -- the command line ------------------------------------------------------------------------------


def _wtfc(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WTFC_DATABASE_URL": settings.database_url,
        "WTFC_SECRET_KEY": settings.secret_key,
    }
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "wtfc.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


async def test_wtfc_invite_queues_an_invitation(
    settings: Settings, outbound: Outbound, twilio: FaultProxy
) -> None:
    """`wtfc invite PARK +447700900123` queues it; the app's dispatcher sends it to Twilio."""
    done = _wtfc(settings, "invite", "park", "+447700900123")
    assert done.returncode == 0, done.stderr
    assert "Invitation to PARK queued for +447 ******123 by sms." in done.stdout
    assert "Twilio is not set up here" in done.stderr
    assert "7700900123" not in done.stdout + done.stderr
    outbound.later(minutes=1)  # queued by the command "now", after this test's clock started
    assert await outbound.send_all() == 1
    assert _only(twilio).form["To"] == PERSON


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("invite", "NOPE", "+447700900123"), "no programme with the code NOPE"),
        (("invite", "PARK", "12345"), "not valid"),
    ],
)
async def test_wtfc_invite_refuses_with_the_reason(
    settings: Settings, outbound: Outbound, args: tuple[str, ...], message: str
) -> None:
    """A wrong code or number: exit code 2, the reason, nothing queued."""
    done = _wtfc(settings, *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert await outbound.rows() == []


# -- Twilio's answers: retries, opt-out, permanent errors ------------------------------------------


async def test_a_rate_limit_is_retried_after_twilios_retry_after(
    outbound: Outbound, twilio: FaultProxy
) -> None:
    """429 with Retry-After: 1 puts the message back for a second later, then it goes."""
    await outbound.invite()
    twilio.inject(RATE_LIMITED)
    assert await outbound.send_all() == 1
    [row] = await outbound.rows()
    assert (row.status, row.attempts, row.last_error) == ("queued", 1, "20429: too many requests")
    assert row.next_attempt_at == outbound.now[0] + timedelta(seconds=1)
    assert await outbound.send_all() == 0  # not due yet
    outbound.later(seconds=1)
    assert await outbound.send_all() == 1
    [row] = await outbound.rows()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert [r.status for r in twilio.requests] == [429, 201]
    assert all(r.valid for r in twilio.requests)


async def test_a_server_error_is_retried_with_backoff(
    outbound: Outbound, twilio: FaultProxy
) -> None:
    """500 twice: retried after 5 s, then 10 s; the third attempt is sent."""
    await outbound.invite()
    twilio.inject(SERVER_ERROR, SERVER_ERROR)
    await outbound.send_all()
    outbound.later(seconds=5)
    await outbound.send_all()
    [row] = await outbound.rows()
    assert (row.status, row.attempts) == ("queued", 2)
    assert row.next_attempt_at == outbound.now[0] + timedelta(seconds=10)
    outbound.later(seconds=10)
    await outbound.send_all()
    [row] = await outbound.rows()
    assert (row.status, row.attempts) == ("sent", 3)
    assert [r.status for r in twilio.requests] == [500, 500, 201]


async def test_21610_marks_the_person_opted_out_and_nothing_more_goes(
    outbound: Outbound, twilio: FaultProxy
) -> None:
    """Twilio says they unsubscribed: the message fails with the reason, the person is opted out."""
    invite = await outbound.invite()
    twilio.inject(UNSUBSCRIBED)
    await outbound.send_all()
    [row] = await outbound.rows()
    assert (row.status, row.last_error) == ("failed", "21610: recipient has unsubscribed (STOP)")
    assert (await outbound.participant(invite.participant_id)).opted_out
    with pytest.raises(OptedOutError):
        await outbound.invite()


async def test_a_permanent_error_ends_the_message_with_its_reason(
    outbound: Outbound, twilio: FaultProxy
) -> None:
    """An invalid number (21211) is not retried: failed, reason kept, no second request."""
    await outbound.invite()
    twilio.inject(INVALID_NUMBER)
    await outbound.send_all()
    outbound.later(hours=2)
    assert await outbound.send_all() == 0
    [row] = await outbound.rows()
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "21211: invalid 'To' number")
    assert len(twilio.requests) == 1


# -- reminders and STOP ----------------------------------------------------------------------------


@pytest.fixture
async def texting(outbound: Outbound) -> AsyncIterator[TwilioWebhookClient]:
    """A person texting the app's webhook, in the same database, the clock at START."""
    outbound.services.intake.clock = lambda: START
    app = create_app(outbound.services.settings, services=outbound.services, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as http:
        yield TwilioWebhookClient(http, signed_base=PUBLIC)


async def _quiet_mid_conversation(person: TwilioWebhookClient) -> None:
    for text in ("PARK", "YES", "1", "Going to the pub on Fridays"):
        assert (await person.text(text)).status == 200


async def test_a_reminder_goes_out_by_sms_after_a_quiet_day(
    outbound: Outbound, texting: TwilioWebhookClient, twilio: FaultProxy
) -> None:
    """Quiet for 25 hours mid-conversation: the reminder and the question, by SMS, in order."""
    await _quiet_mid_conversation(texting)
    assert await Timers(outbound.services.sessions).send_reminders(START + timedelta(hours=25)) == 1
    assert await outbound.send_all() == 2
    bodies = [r.form["Body"] for r in twilio.requests]
    assert bodies == [
        "Hello again. You can carry on where you left off.",
        "What is working well for you? Send one thing per message. Send DONE when you have "
        "finished.",
    ]
    assert {r.form["To"] for r in twilio.requests} == {PERSON}
    assert all(r.valid for r in twilio.requests)


async def test_no_reminder_is_queued_after_stop(
    outbound: Outbound, texting: TwilioWebhookClient, twilio: FaultProxy
) -> None:
    """STOP mid-conversation: the quiet-day timer queues nothing, and nothing is sent."""
    await _quiet_mid_conversation(texting)
    await texting.text("STOP")
    assert await Timers(outbound.services.sessions).send_reminders(START + timedelta(hours=25)) == 0
    assert await outbound.send_all() == 0
    assert twilio.requests == []


async def test_stop_cancels_what_was_already_queued(
    outbound: Outbound, texting: TwilioWebhookClient, twilio: FaultProxy
) -> None:
    """A reminder and an invite queued before STOP are cancelled, never sent."""
    await _quiet_mid_conversation(texting)
    await Timers(outbound.services.sessions).send_reminders(START + timedelta(hours=25))
    async with outbound.services.sessions() as session, session.begin():
        await create_programme(session=session, name="Other Place", code="OTHER")
        other = await get_by_code(session=session, code="OTHER")
        assert other is not None
        await queue_invite(
            session=session,
            vault=outbound.services.vault,
            programme=other,
            number=PERSON,
            now=outbound.now[0],
        )
    stopped = await texting.text("STOP")
    assert "You will get no more messages" in stopped.said  # the one message after STOP
    assert await outbound.send_all() == 3
    assert twilio.requests == []
    assert [(r.kind, r.status, r.last_error) for r in await outbound.rows()] == [
        ("reminder", "cancelled", "opted out"),
        ("reminder", "cancelled", "opted out"),
        ("invite", "cancelled", "opted out"),
    ]


async def test_the_stop_confirmation_is_the_one_message_that_still_goes(
    outbound: Outbound, twilio: FaultProxy
) -> None:
    """Queued for someone opted out, "stopped" is still sent; a question or invite is not."""
    invite = await outbound.invite()
    async with outbound.services.sessions() as session, session.begin():
        participant = await session.get(Participant, invite.participant_id)
        assert participant is not None
        participant.opted_out = True
        for key in ("ask_working", "stopped"):
            queue_reply(
                session=session,
                channel="sms",
                participant_id=participant.id,
                reply=Reply(key=key),
                language="en",
                kind="reply",
                now=outbound.now[0],
            )
    await outbound.send_all()
    assert [r.form["Body"] for r in twilio.requests] == [
        "You will get no more messages from us. Reply START to come back."
    ]
    assert [(r.kind, r.status) for r in await outbound.rows()] == [
        ("invite", "cancelled"),
        ("reply", "cancelled"),
        ("reply", "sent"),
    ]


# -- delivery status callbacks ---------------------------------------------------------------------


async def _sent_invite(outbound: Outbound) -> tuple[Invite, str]:
    invite = await outbound.invite()
    await outbound.send_all()
    [row] = await outbound.rows()
    assert row.provider_id is not None
    return invite, row.provider_id


async def test_delivery_status_is_recorded_and_only_moves_forward(
    outbound: Outbound, texting: TwilioWebhookClient
) -> None:
    """queued, delivered, then a late "sent": the row says delivered."""
    _, sid = await _sent_invite(outbound)
    for status in ("queued", "delivered", "sent"):
        answer = await texting.status(sid, status)
        assert answer.status_code == 204
    [row] = await outbound.rows()
    assert row.delivery_status == "delivered"


async def test_an_undelivered_report_keeps_the_reason(
    outbound: Outbound, texting: TwilioWebhookClient
) -> None:
    """Twilio's delivery error code is recorded in words; the person is not opted out for it."""
    invite, sid = await _sent_invite(outbound)
    await texting.status(sid, "undelivered", error_code=30003)
    [row] = await outbound.rows()
    assert row.delivery_status == "undelivered"
    assert row.last_error == "30003: unreachable handset (switched off or out of signal)"
    assert not (await outbound.participant(invite.participant_id)).opted_out


async def test_a_21610_delivery_report_opts_the_person_out(
    outbound: Outbound, texting: TwilioWebhookClient
) -> None:
    """A failed report with 21610 marks the person opted out."""
    invite, sid = await _sent_invite(outbound)
    await texting.status(sid, "failed", error_code=21610)
    assert (await outbound.participant(invite.participant_id)).opted_out


async def test_an_unsigned_status_report_changes_nothing(
    outbound: Outbound, texting: TwilioWebhookClient
) -> None:
    """A forged "failed, 21610" without Twilio's signature is refused."""
    invite, sid = await _sent_invite(outbound)
    forged = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "21610"}
    answer = await texting.post("/webhooks/twilio/status", forged, signature="forged")
    assert answer.status_code == 403
    [row] = await outbound.rows()
    assert row.delivery_status is None
    assert not (await outbound.participant(invite.participant_id)).opted_out


async def test_a_report_for_an_unknown_message_is_acknowledged(
    texting: TwilioWebhookClient,
) -> None:
    """A report for a message we do not know (a TwiML reply, say) gets 204, not an error."""
    answer = await texting.status("SM" + "f" * 32, "delivered")
    assert answer.status_code == 204


# -- pacing ----------------------------------------------------------------------------------------


PACED_INVITES = 50
MPS = 10.0


async def _paced(
    settings: Settings, services: Services, twilio: FaultProxy, dispatchers: int
) -> list[float]:
    """Queue 50 invites and send them at TWILIO_MPS=10 with `dispatchers` dispatchers at
    once, on a fake pace clock; returns the send times the pacer gave out, in order."""
    async with services.sessions() as session, session.begin():
        programme = await create_programme(session=session, name="Park Centre", code="PARK")
        for n in range(PACED_INVITES):
            await queue_invite(
                session=session,
                vault=services.vault,
                programme=programme,
                number=f"+4477009{n:05d}",
            )
    built = [build_services(sms_settings(settings, twilio, mps=MPS)) for _ in range(dispatchers)]
    now = [datetime.now(UTC)]
    clock = FakePaceClock()
    try:
        runners = [make_outbound(each, now) for each in built]
        for runner in runners:
            runner.dispatcher.pace_clock = clock
        counts = await asyncio.gather(*(runner.send_all() for runner in runners))
    finally:
        for each in built:
            await close_senders(each)
            await each.close()
    assert sum(counts) == PACED_INVITES
    return sorted(clock.released)


@pytest.mark.parametrize("dispatchers", [1, 2], ids=["one-dispatcher", "two-dispatchers"])
async def test_fifty_invites_at_ten_a_second_are_scheduled_at_least_a_tenth_apart(
    settings: Settings, services: Services, twilio: FaultProxy, dispatchers: int
) -> None:
    """TWILIO_MPS=10: the 50 sends are given slots a tenth of a second apart or more, so no
    second holds more than 10 and they span at least 4.9 s.

    Two dispatchers share the pace through the database, as two processes would. The pace
    clock is fake (the schedule, not the wall clock, is checked), so a busy machine cannot
    make it pass or fail; bench/pacing.py measures the real rate against Prism.
    """
    slots = await _paced(settings, services, twilio, dispatchers)
    assert len(twilio.requests) == PACED_INVITES
    assert all(r.valid for r in twilio.requests)
    assert len(slots) == PACED_INVITES
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert min(gaps) >= 1 / MPS - 1e-9
    windows = [slots[i + 10] - slots[i] for i in range(len(slots) - 10)]
    assert min(windows) >= 1.0  # no second ever holds more than 10
    assert slots[-1] - slots[0] >= (PACED_INVITES - 1) / MPS - 1e-9
