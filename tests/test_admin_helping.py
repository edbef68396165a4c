"""Helping people take part: assisted entry, SMS invites, kiosk link and poster."""

from __future__ import annotations

import io

import pypdf
from sqlalchemy import select

from bot.model import reply_from_dict
from collection.intake import InboundMessage
from collection.kiosk import kiosk_key
from collection.models import OutboxMessage, Participant, Pick, Response, Statement
from collection.runtime import Services
from tests.support.admin import csrf_of, make_programme, signed_in


async def test_assisted_entry_records_who_typed_it(services: Services) -> None:
    """Staff type one person's answers; the response is complete, assisted and attributed."""
    await make_programme(services, "PARK", segments=[{"name": "Homecare", "target": 5}])
    async with signed_in(services, "amy@example.org", "staff") as http:
        page = await http.get("/admin/programmes/PARK/assisted")
        answer = await http.post(
            "/admin/programmes/PARK/assisted",
            data={
                "csrf_token": csrf_of(page.text),
                "agreed": "yes",
                "perspective": "carer",
                "segment": "Homecare",
                "working_0": "The staff listen",
                "working_1": "",
                "working_2": "Lunch",
                "working_3": "The garden",
                "working_0_pick": "yes",
                "working_3_pick": "yes",
                "not_working_0": "The bus is late",
                "future_0": "See my family",
                "future_1": "Go swimming",
            },
        )
        assert answer.status_code == 303, answer.text
        assert "reference=R-" in answer.headers["location"]
    async with services.sessions() as session:
        response = (await session.execute(select(Response))).scalar_one()
        picks = (
            await session.execute(
                select(Statement.text, Pick.rank)
                .join(Pick, Pick.statement_id == Statement.id)
                .order_by(Statement.category, Pick.rank)
            )
        ).all()
    assert (response.channel, response.status, response.assisted_by) == (
        "assisted",
        "complete",
        "amy@example.org",
    )
    assert (response.perspective, response.segment, response.participant_id) == (
        "carer",
        "Homecare",
        None,
    )
    assert ("The staff listen", 1) in picks and ("The garden", 2) in picks
    assert ("The bus is late", 1) in picks  # one statement is its own pick
    assert ("See my family", 1) in picks and ("Go swimming", 2) in picks
    assert ("Lunch", 1) not in picks and len(picks) == 5


async def test_assisted_entry_needs_two_picks_when_more_than_two(services: Services) -> None:
    """With three answers to a question, exactly two must be ticked; nothing is stored."""
    await make_programme(services, "PARK")
    async with signed_in(services, "amy@example.org", "staff") as http:
        page = await http.get("/admin/programmes/PARK/assisted")
        answer = await http.post(
            "/admin/programmes/PARK/assisted",
            data={
                "csrf_token": csrf_of(page.text),
                "agreed": "yes",
                "working_0": "A",
                "working_1": "B",
                "working_2": "C",
                "working_0_pick": "yes",
            },
        )
    assert answer.status_code == 400
    assert "tick the two that matter most" in answer.text
    async with services.sessions() as session:
        assert (await session.execute(select(Response))).first() is None


async def test_assisted_entry_needs_agreement(services: Services) -> None:
    """Nothing is stored unless staff confirm the person agreed to take part."""
    await make_programme(services, "PARK")
    async with signed_in(services, "amy@example.org", "staff") as http:
        page = await http.get("/admin/programmes/PARK/assisted")
        answer = await http.post(
            "/admin/programmes/PARK/assisted",
            data={"csrf_token": csrf_of(page.text), "working_0": "A"},
        )
    assert answer.status_code == 400 and "agreed to take part" in answer.text


async def test_invite_lands_in_the_outbox(services: Services) -> None:
    """An invite is queued on the sms channel as an 'invite' with the programme's details."""
    await make_programme(services, "PARK")
    async with signed_in(services, "amy@example.org", "staff") as http:
        page = await http.get("/admin/programmes/PARK/help")
        answer = await http.post(
            "/admin/programmes/PARK/invite",
            data={"csrf_token": csrf_of(page.text), "phone": "07911 123456", "agreed": "yes"},
        )
        assert answer.status_code == 303
        shown = await http.get("/admin/programmes/PARK/help?done=invited")
    assert "07911" not in shown.text
    async with services.sessions() as session:
        row = (await session.execute(select(OutboxMessage))).scalar_one()
        participant = await session.get(Participant, row.participant_id)
    assert (row.channel, row.kind, row.status) == ("sms", "invite", "queued")
    reply = reply_from_dict(row.payload)
    assert reply.key == "invite"
    assert reply.param_dict()["code"] == "PARK" and reply.param_dict()["name"] == "Programme PARK"
    assert participant is not None
    assert services.vault.decrypt(participant.address_encrypted or "") == "+447911123456"


async def test_invite_needs_consent_and_a_valid_number(services: Services) -> None:
    """No tick or a bad number: nothing is queued and the page says why."""
    await make_programme(services, "PARK")
    async with signed_in(services, "amy@example.org", "staff") as http:
        token = csrf_of((await http.get("/admin/programmes/PARK/help")).text)
        no_tick = await http.post(
            "/admin/programmes/PARK/invite", data={"csrf_token": token, "phone": "07911 123456"}
        )
        bad = await http.post(
            "/admin/programmes/PARK/invite",
            data={"csrf_token": token, "phone": "12345", "agreed": "yes"},
        )
    assert no_tick.status_code == 400 and "agreed to get a text" in no_tick.text
    assert bad.status_code == 400 and "phone number" in bad.text
    async with services.sessions() as session:
        assert (await session.execute(select(OutboxMessage))).first() is None


async def test_invite_refused_after_opt_out(services: Services) -> None:
    """A number that sent STOP is never invited."""
    await make_programme(services, "PARK")
    await services.intake.handle(
        InboundMessage(channel="sms", address="+447911123456", text="STOP", external_id="s1")
    )
    async with services.sessions() as session:
        before = len(list((await session.execute(select(OutboxMessage))).scalars()))
    async with signed_in(services, "amy@example.org", "staff") as http:
        token = csrf_of((await http.get("/admin/programmes/PARK/help")).text)
        answer = await http.post(
            "/admin/programmes/PARK/invite",
            data={"csrf_token": token, "phone": "+44 7911 123456", "agreed": "yes"},
        )
    assert answer.status_code == 400 and "sent STOP" in answer.text
    async with services.sessions() as session:
        rows = list((await session.execute(select(OutboxMessage))).scalars())
    assert len(rows) == before and all(r.kind != "invite" for r in rows)


async def test_kiosk_link_and_poster(services: Services) -> None:
    """The help page links the kiosk; the poster is an A4 PDF with the code and number."""
    await make_programme(services, "PARK", sms_number="+44 7700 900123")
    services.settings.telegram_bot_username = "wtfc_bot"
    async with signed_in(services, "amy@example.org", "staff") as http:
        page = await http.get("/admin/programmes/PARK/help")
        key = kiosk_key(services.settings.secret_key, "PARK")
        assert f'href="/chat?code=PARK&amp;kiosk=1&amp;key={key}"' in page.text
        poster = await http.get("/admin/programmes/PARK/poster.pdf")
    assert poster.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(poster.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    text = reader.pages[0].extract_text()
    assert "Text PARK to +44 7700 900123" in text
    assert "Scan to answer on Telegram" in text and "Scan to answer online" in text


async def test_poster_without_telegram_leaves_that_code_out(services: Services) -> None:
    """With no TELEGRAM_BOT_USERNAME, only the web chat QR code is drawn."""
    await make_programme(services, "PARK")
    async with signed_in(services, "amy@example.org", "staff") as http:
        poster = await http.get("/admin/programmes/PARK/poster.pdf")
    text = pypdf.PdfReader(io.BytesIO(poster.content)).pages[0].extract_text()
    assert "Telegram" not in text and "Scan to answer online" in text
    assert "PARK" in text
