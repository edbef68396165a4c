"""The Twilio webhook: signed form posts in, TwiML out, through the real intake and store.

Requests are signed with the twilio library's own `RequestValidator`, over the
URL Twilio would have called. Runs on SQLite, and on PostgreSQL when
WTFC_TEST_DATABASE_URL points at one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from channels.twilio.segments import segments
from collection.models import InboundLog, Participant, Pick, Response, Statement
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.sqlite_threads import aiosqlite_threads_joined
from tests.support.twilio_client import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    MESSAGES,
    OUR_NUMBER,
    PERSON,
    TwilioWebhookClient,
    new_sid,
)
from wtfc.app import build_services, create_app

INTERNAL = "http://127.0.0.1:8000"
PUBLIC = "https://wtfc.example.org/collect"

CONVERSATION = [
    ("park", "Hello from Park Centre"),
    ("YES", "Are you answering 1) for yourself"),
    ("1", "What is working well for you?"),
    ("Going to the pub on Fridays", "That's 1 so far"),
    ("My support worker listens to me", "That's 2 so far"),
    ("Cooking my own tea", "That's 3 so far"),
    ("DONE", "Which TWO matter most to you?"),
    ("1 3", "What is not working well for you?"),
    ("The bus is always late", "That's 1 so far"),
    ("DONE", "What is important to you for the future?"),
    ("Learn to cook a roast", "That's 1 so far"),
    ("A job in a cafe", "That's 2 so far"),
    ("DONE", "Here is what matters most to you"),
    ("YES", "Would you like a message later about what changes?"),
    ("YES", "Thank you for taking part"),
]
"""A whole conversation by text: what the person sends, and words our answer contains."""

STOPPED = "You will get no more messages from us"


def form(**changes: str | None) -> dict[str, str]:
    """A whole inbound form as Twilio sends it; a change of None leaves that field out."""
    fields: dict[str, str | None] = {
        "MessageSid": new_sid(),
        "AccountSid": ACCOUNT_SID,
        "From": PERSON,
        "To": OUR_NUMBER,
        "Body": "PARK",
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
        **changes,
    }
    return {name: value for name, value in fields.items() if value is not None}


def twilio_settings(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update={"twilio_auth_token": AUTH_TOKEN, **changes})


async def _programme(services: Services) -> None:
    async with services.sessions() as session, session.begin():
        await create_programme(
            session=session,
            name="Park Centre",
            code="PARK",
            purpose="We want to hear what matters to you.",
        )


@pytest.fixture
async def twilio(settings: Settings, services: Services) -> AsyncIterator[TwilioWebhookClient]:
    """Twilio posting to the app directly (no public URL set: the request URL is signed)."""
    await _programme(services)
    app = create_app(twilio_settings(settings), services=services, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=INTERNAL) as http:
        yield TwilioWebhookClient(http, signed_base=INTERNAL)


async def _count(services: Services, column: object) -> int:
    async with services.sessions() as session:
        return int((await session.execute(select(func.count(column)))).scalar_one())  # type: ignore[arg-type]


async def _participant(services: Services, channel: str = "sms") -> Participant:
    async with services.sessions() as session:
        found = await session.execute(select(Participant).where(Participant.channel == channel))
        return found.scalar_one()


# -- signatures --------------------------------------------------------------------------------


async def test_a_signed_text_is_answered_with_twiml(twilio: TwilioWebhookClient) -> None:
    """The programme code joins; the welcome and the consent question come back as TwiML."""
    answer = await twilio.text("PARK")
    assert answer.status == 200
    assert answer.content_type.startswith("application/xml")
    assert answer.text.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert "Hello from Park Centre. We want to hear what matters to you." in answer.said
    assert "Reply YES to take part" in answer.said


async def test_a_wrong_signature_is_refused_and_changes_nothing(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """Signed with another account's token: 403, no participant, no log, no reply."""
    forger = TwilioWebhookClient(twilio.http, signed_base=INTERNAL, token="someone-elses-token")
    answer = await forger.text("PARK")
    assert answer.status == 403
    assert "<Message>" not in answer.text
    assert await _count(services, Participant.id) == 0
    assert await _count(services, InboundLog.id) == 0


async def test_a_missing_signature_is_refused(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """No X-Twilio-Signature header at all: 403 and nothing stored."""
    params = form()
    answer = await twilio.post(MESSAGES, params, signature=None)
    assert answer.status_code == 403
    assert await _count(services, InboundLog.id) == 0


async def test_a_changed_field_breaks_the_signature(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """A signature for one Body does not cover another: the form is part of what is signed."""
    params = form()
    signature = twilio.sign(MESSAGES, params)
    answer = await twilio.post(MESSAGES, {**params, "Body": "DELETE"}, signature=signature)
    assert answer.status_code == 403
    assert await _count(services, InboundLog.id) == 0


async def test_behind_a_proxy_the_public_url_is_what_is_signed(
    settings: Settings, services: Services
) -> None:
    """Twilio signs the public URL with its query; the app, reached elsewhere, checks that."""
    await _programme(services)
    app = create_app(
        twilio_settings(settings, public_url=PUBLIC), services=services, background=False
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=INTERNAL) as http:
        path = MESSAGES + "?poster=b%2012&lang=en"
        params = form()
        as_twilio = TwilioWebhookClient(http, signed_base=PUBLIC)
        answer = await as_twilio.post(path, params)
        assert answer.status_code == 200, answer.text
        assert "Hello from Park Centre" in answer.text
        as_internal = TwilioWebhookClient(http, signed_base=INTERNAL)
        again = await as_internal.post(path, {**params, "MessageSid": new_sid()})
        assert again.status_code == 403  # the internal URL is not the one Twilio called


async def test_without_an_auth_token_the_route_is_off(
    settings: Settings, services: Services
) -> None:
    """No TWILIO_AUTH_TOKEN: 404 for both webhooks, never an open door."""
    app = create_app(settings, services=services, background=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=INTERNAL) as http:
        client = TwilioWebhookClient(http, signed_base=INTERNAL)
        assert (await client.text("PARK")).status == 404
        assert (await client.status(new_sid(), "delivered")).status_code == 404
    assert await _count(services, Participant.id) == 0


# -- bad forms and outages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        (form(From=None), "From is missing"),
        (form(MessageSid=None), "MessageSid is missing"),
        (form(From="VODAFONE", Body="hi"), "not a phone number"),
        (form(NumMedia="x"), "NumMedia"),
        (form(To=None), "To is missing"),
        (form(AccountSid=None), "AccountSid is missing"),
        (form(NumSegments=None), "NumSegments is missing"),
        (form(NumSegments="1a"), "NumSegments is not a number"),
        (form(AccountSid="AC" + "0" * 31 + "G"), "not a Twilio account id"),
        (form(MessageSid="SM" + "A" * 32), "not a Twilio message id"),
        (form(MessageSid="XX" + "1" * 32), "not a Twilio message id"),
        (form(MessageSid="SM" + "1" * 31), "not a Twilio message id"),
        (form(MessageSid="SM" + "1" * 32, SmsSid="SM" + "2" * 32), "SmsSid"),
    ],
)
async def test_a_signed_but_incomplete_form_is_a_400(
    twilio: TwilioWebhookClient, services: Services, params: dict[str, str], reason: str
) -> None:
    """A form without what we need is a 400 with the reason, never a 500; nothing stored."""
    answer = await twilio.post(MESSAGES, params)
    assert answer.status_code == 400
    assert reason in answer.json()["detail"]
    assert await _count(services, InboundLog.id) == 0


@pytest.mark.parametrize(
    ("absorbed", "into"),
    [("NumMedia", "MessageSid"), ("NumSegments", "NumMedia"), ("SmsSid", "NumSegments")],
)
async def test_a_captured_post_recut_at_the_field_boundaries_is_no_new_message(
    twilio: TwilioWebhookClient, services: Services, absorbed: str, into: str
) -> None:
    """Twilio signs names and values concatenated: `MessageSid=SMxx..NumMedia0` without
    NumMedia has the same signature. Such a re-cut replay is a 400 and stores nothing."""
    sid = new_sid()
    captured = form(MessageSid=sid, SmsSid=sid)
    signature = twilio.sign(MESSAGES, captured)
    first = await twilio.post(MESSAGES, captured, signature=signature)
    assert first.status_code == 200
    recut = dict(captured)
    recut[into] = captured[into] + absorbed + recut.pop(absorbed)
    assert twilio.validator.validate(twilio.signed_base + MESSAGES, recut, signature)
    answer = await twilio.post(MESSAGES, recut, signature=signature)
    assert answer.status_code == 400
    assert await _count(services, InboundLog.id) == 1
    assert await _count(services, Response.id) == 1


async def test_another_accounts_form_is_refused(settings: Settings, services: Services) -> None:
    """With TWILIO_ACCOUNT_SID set, a form for another account is a 400, nothing stored."""
    await _programme(services)
    app = create_app(
        twilio_settings(settings, twilio_account_sid="AC" + "f" * 32),
        services=services,
        background=False,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=INTERNAL) as http:
        client = TwilioWebhookClient(http, signed_base=INTERNAL)
        answer = await client.post(MESSAGES, form())
        ours = await client.post(MESSAGES, form(AccountSid="AC" + "f" * 32))
    assert answer.status_code == 400 and "not this account" in answer.text
    assert ours.status_code == 200
    assert await _count(services, InboundLog.id) == 1


async def test_an_oversized_body_is_refused(twilio: TwilioWebhookClient) -> None:
    """More than 64 KiB is no Twilio form: 413 before any signature work."""
    params = form(Body="x" * (65 * 1024))
    answer = await twilio.post(MESSAGES, params)
    assert answer.status_code == 413


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:////nonexistent-directory/wtfc.db",
        "postgresql+asyncpg://postgres@127.0.0.1:1/wtfc_down",
    ],
    ids=["sqlite-unopenable", "postgresql-refused"],
)
async def test_a_database_outage_is_a_quick_503(settings: Settings, url: str) -> None:
    """The database does not answer: 503 at once (Twilio may retry), never a 500 or a hang."""
    down = twilio_settings(settings, database_url=url)
    services = build_services(down)
    app = create_app(down, services=services, background=False)
    try:
        async with (
            aiosqlite_threads_joined(),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=INTERNAL) as http,
        ):
            client = TwilioWebhookClient(http, signed_base=INTERNAL)
            async with asyncio.timeout(30):  # only against a hang: both fail at once
                answer = await client.text("PARK")
                status = await client.status(new_sid(), "delivered")
    finally:
        await services.close()
    assert (answer.status, status.status_code) == (503, 503)


# -- the conversation ----------------------------------------------------------------------------


async def test_a_whole_conversation_by_text(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """Join, consent, three questions, picks, summary, follow-up: all by signed webhooks."""
    for sent, expected in CONVERSATION:
        answer = await twilio.text(sent)
        assert answer.status == 200
        assert expected in answer.said, (sent, answer.said)
    async with services.sessions() as session:
        response = (await session.execute(select(Response))).scalar_one()
        texts = (
            await session.execute(select(Statement.category, Statement.text).order_by(Statement.id))
        ).all()
        picks = (
            (
                await session.execute(
                    select(Statement.text)
                    .join(Pick, Pick.statement_id == Statement.id)
                    .order_by(Pick.category, Pick.rank)
                )
            )
            .scalars()
            .all()
        )
    assert (response.status, response.channel, response.follow_up) == ("complete", "sms", True)
    assert response.perspective == "person"
    assert [category for category, _ in texts] == ["working"] * 3 + ["not_working"] + ["future"] * 2
    assert texts[0][1] == "Going to the pub on Fridays"
    assert set(picks) == {
        "Going to the pub on Fridays",
        "Cooking my own tea",
        "The bus is always late",
        "Learn to cook a roast",
        "A job in a cafe",
    }


async def test_each_answer_is_one_text_within_its_segment_budget(
    twilio: TwilioWebhookClient,
) -> None:
    """Replies to one message are joined into one SMS when that costs no more segments."""
    for sent, _ in CONVERSATION:
        answer = await twilio.text(sent)
        assert len(answer.messages) == 1, (sent, answer.messages)
        assert segments(answer.messages[0]) <= 3, (sent, answer.messages[0])


async def test_a_replayed_message_sid_gets_the_same_twiml_and_stores_nothing_twice(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """Twilio retrying (same MessageSid) gets the first answer again; one statement, one log."""
    for sent, _ in CONVERSATION[:3]:
        await twilio.text(sent)
    sid = new_sid()
    first = await twilio.text("Going to the pub on Fridays", sid=sid)
    replay = await twilio.text("Going to the pub on Fridays", sid=sid)
    assert first.status == replay.status == 200
    assert replay.text == first.text
    assert "That's 1 so far" in replay.said
    assert await _count(services, Statement.id) == 1
    assert await _count(services, InboundLog.id) == 4
    after = await twilio.text("My support worker listens to me")
    assert "That's 2 so far" in after.said


async def test_a_number_texting_anything_else_is_asked_for_the_code(
    twilio: TwilioWebhookClient,
) -> None:
    """An unknown number sending "hello" is offered the one programme collecting."""
    answer = await twilio.text("hello")
    assert "To take part in Park Centre, reply PARK" in answer.said


# -- STOP, START, HELP -----------------------------------------------------------------------------


@pytest.mark.parametrize("step", range(len(CONVERSATION) + 1))
async def test_stop_works_at_every_step(
    twilio: TwilioWebhookClient, services: Services, step: int
) -> None:
    """STOP at any point: confirmed once, then silence whatever is sent, until START."""
    for sent, _ in CONVERSATION[:step]:
        await twilio.text(sent)
    stopped = await twilio.text("STOP")
    assert stopped.messages == ["You will get no more messages from us. Reply START to come back."]
    assert (await _participant(services)).opted_out
    for anything in ("PARK", "HELP", "1 3", "Going out", "DONE"):  # YES would opt back in
        silent = await twilio.text(anything)
        assert silent.status == 200
        assert silent.messages == [], (anything, silent.said)
    back = await twilio.text("START")
    assert "Welcome back" in back.said
    assert not (await _participant(services)).opted_out


@pytest.mark.parametrize(
    "word", ["STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT", "revoke", "OPTOUT"]
)
async def test_twilios_opt_out_words_all_stop(
    twilio: TwilioWebhookClient, services: Services, word: str
) -> None:
    """Every word Twilio treats as STOP opts out here too, mid-conversation."""
    for sent, _ in CONVERSATION[:4]:
        await twilio.text(sent)
    assert STOPPED in (await twilio.text(word)).said
    assert (await _participant(services)).opted_out
    async with services.sessions() as session:
        assert (await session.execute(select(Response.status))).scalar_one() == "partial"


@pytest.mark.parametrize("word", ["START", "yes", "UNSTOP"])
@pytest.mark.parametrize("joined", [True, False], ids=["in-conversation", "before-joining"])
async def test_twilios_opt_in_words_all_start(
    twilio: TwilioWebhookClient, services: Services, word: str, joined: bool
) -> None:
    """START, YES and UNSTOP opt back in, as Twilio's own filtering does."""
    if joined:
        await twilio.text("PARK")
    await twilio.text("STOP")
    answer = await twilio.text(word)
    assert answer.messages, word
    assert not (await _participant(services)).opted_out


@pytest.mark.parametrize("word", ["HELP", "info"])
async def test_help_and_info_explain(twilio: TwilioWebhookClient, word: str) -> None:
    """HELP and INFO explain the keywords and repeat the question."""
    for sent, _ in CONVERSATION[:3]:
        await twilio.text(sent)
    answer = await twilio.text(word)
    assert "You can also send: BACK to undo" in answer.said
    assert "What is working well for you?" in answer.said


# -- pictures and WhatsApp -------------------------------------------------------------------------


async def test_a_picture_without_words_gets_a_kind_request_for_words(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """MMS with no text: nothing stored, a kind reply and the question again."""
    for sent, _ in CONVERSATION[:3]:
        await twilio.text(sent)
    answer = await twilio.text("", media=1)
    assert "we can't use pictures or sounds" in answer.said
    assert "What is working well for you?" in answer.said
    assert await _count(services, Statement.id) == 0


async def test_a_picture_with_a_caption_keeps_the_words(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """MMS with text: the text is a statement; the picture is explained away kindly."""
    for sent, _ in CONVERSATION[:3]:
        await twilio.text(sent)
    answer = await twilio.text("My garden", media=2)
    assert "we can't use pictures" in answer.said
    assert "That's 1 so far" in answer.said
    async with services.sessions() as session:
        assert (await session.execute(select(Statement.text))).scalar_one() == "My garden"


async def test_whatsapp_is_its_own_channel_answered_on_whatsapp(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """A whatsapp: sender is the whatsapp channel, apart from the same number's SMS."""
    await twilio.text("PARK")
    answer = await twilio.text("PARK", whatsapp=True)
    assert "Hello from Park Centre" in answer.said
    await twilio.text("YES", whatsapp=True)
    async with services.sessions() as session:
        channels = (
            (await session.execute(select(Participant.channel).order_by(Participant.channel)))
            .scalars()
            .all()
        )
        responses = (
            await session.execute(
                select(Response.channel, Response.consented_at.is_not(None)).order_by(
                    Response.channel
                )
            )
        ).all()
    assert channels == ["sms", "whatsapp"]
    assert [tuple(r) for r in responses] == [("sms", False), ("whatsapp", True)]
    participant = await _participant(services, "whatsapp")
    assert services.vault.decrypt(participant.address_encrypted or "") == PERSON


async def test_a_number_in_national_format_is_the_same_person(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """From is normalised to E.164 (region GB), so 07700 900123 and +447700900123 are one."""
    await twilio.text("PARK", sender="+447700900123")
    answer = await twilio.text("YES", sender="07700 900123")
    assert "Are you answering 1) for yourself" in answer.said
    assert await _count(services, Participant.id) == 1
