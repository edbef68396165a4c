"""The 'You said, we did' page and API: write, see cost and audience, send, watch, read replies."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from collection.models import AuditEntry, OutboxMessage
from collection.runtime import Services
from tests.support.admin import bearer, csrf_of, link_lead, new_token, signed_in
from tests.support.feedback import park, say, take_part
from tests.test_feedback import _send_all, dispatcher

EN = "You said the bus was late. We changed the timetable."
CY = "Dywedoch fod y bws yn hwyr. Rydyn ni wedi newid yr amserlen ŵ."


async def _people(services: Services) -> None:
    await park(services)
    await take_part(services, "sms", "+447700900001")
    await take_part(services, "sms", "+447700900002", welsh=True)
    await take_part(services, "sms", "+447700900003", hear_back="NO")


async def _feedback_rows(services: Services) -> list[OutboxMessage]:
    async with services.sessions() as session:
        rows = await session.execute(select(OutboxMessage).where(OutboxMessage.kind == "feedback"))
        return list(rows.scalars())


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_api_writes_previews_sends_and_reports_a_round(services: Services) -> None:
    """POST the texts, see cost and audience, send (twice: once each), read delivery and replies."""
    await _people(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        auth = bearer(await new_token(http))
        made = await http.post(
            "/api/v1/programmes/park/feedback", json={"texts": {"en": EN, "cy": CY}}, headers=auth
        )
        assert made.status_code == 201, made.text
        body = made.json()
        assert body["number"] == 1 and body["sent_at"] is None
        cost = {c["language"]: (c["segments"], c["encoding"]) for c in body["sms_cost"]}
        assert cost == {"en": (1, "GSM-7"), "cy": (1, "UCS-2")}
        assert body["not_yet_sent_to"] == [
            {"channel": "sms", "language": "cy", "people": 1},
            {"channel": "sms", "language": "en", "people": 1},
        ]
        sent = await http.post("/api/v1/programmes/PARK/feedback/1/send", headers=auth)
        again = await http.post("/api/v1/programmes/PARK/feedback/1/send", headers=auth)
        assert (sent.json()["queued"], again.json()["queued"], again.json()["already"]) == (2, 0, 2)
        status = (await http.get("/api/v1/programmes/PARK/feedback/1", headers=auth)).json()
        assert status["delivery"] == {"queued": 2, "sent": 0, "delivered": 0, "failed": 0}
        assert status["not_yet_sent_to"] == [] and status["sent_at"] is not None
        recipients = (
            await http.get("/api/v1/programmes/PARK/feedback/1/recipients", headers=auth)
        ).json()
        assert sorted(r["language"] for r in recipients) == ["cy", "en"]
        assert all(r["response_reference"].startswith("R-") for r in recipients)
        assert "+4477" not in str(recipients)
        listed = (await http.get("/api/v1/programmes/PARK/feedback", headers=auth)).json()
        assert [r["number"] for r in listed] == [1]
        repeat = await http.post("/api/v1/programmes/PARK/feedback/1/repeat", headers=auth)
        assert repeat.status_code == 201 and repeat.json()["number"] == 2
        assert repeat.json()["texts"] == {"en": EN, "cy": CY}
    assert len(await _feedback_rows(services)) == 2
    async with services.sessions() as session:
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert actions.count("feedback.send") == 2 and actions.count("feedback.create") == 2


async def test_api_refuses_bad_texts_and_staff(services: Services) -> None:
    """A missing language is 422 with the reason; staff tokens get 403; unknown rounds 404."""
    await _people(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        auth = bearer(await new_token(http))
        missing = await http.post(
            "/api/v1/programmes/PARK/feedback", json={"texts": {"en": EN}}, headers=auth
        )
        assert missing.status_code == 422
        assert "missing cy" in missing.json()["detail"][0]["msg"]  # the documented 422 shape
        nothing = await http.post(
            "/api/v1/programmes/PARK/feedback", json={"texts": "hello"}, headers=auth
        )
        assert nothing.status_code == 422
        unknown = await http.post("/api/v1/programmes/PARK/feedback/9/send", headers=auth)
        assert unknown.status_code == 404
    async with signed_in(services, "staff@example.org", "staff") as http:
        auth = bearer(await new_token(http))
        refused = await http.get("/api/v1/programmes/PARK/feedback", headers=auth)
        assert refused.status_code == 403


async def test_replies_are_readable_in_the_api(services: Services) -> None:
    """A person's answer to the round is listed with their response reference."""
    await _people(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        auth = bearer(await new_token(http))
        await http.post(
            "/api/v1/programmes/PARK/feedback", json={"texts": {"en": EN, "cy": CY}}, headers=auth
        )
        await http.post("/api/v1/programmes/PARK/feedback/1/send", headers=auth)
        d, _ = dispatcher(services, [datetime.now(UTC)])
        await _send_all(d)
        assert await say(services, "sms", "+447700900001", "Brilliant, thank you") == [
            "feedback_thanks"
        ]
        replies = (
            await http.get("/api/v1/programmes/PARK/feedback/1/replies", headers=auth)
        ).json()
        status = (await http.get("/api/v1/programmes/PARK/feedback/1", headers=auth)).json()
    assert [r["text"] for r in replies] == ["Brilliant, thank you"]
    assert replies[0]["channel"] == "sms" and replies[0]["response_reference"].startswith("R-")
    assert status["replies"] == 1 and status["delivery"]["sent"] == 2


async def test_the_api_is_described_in_openapi(services: Services) -> None:
    """/openapi.json names the feedback paths and the delivery states."""
    async with signed_in(services, "lead@example.org", "admin") as http:
        schema = (await http.get("/openapi.json")).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/programmes/{code}/feedback",
        "/api/v1/programmes/{code}/feedback/{number}",
        "/api/v1/programmes/{code}/feedback/{number}/send",
        "/api/v1/programmes/{code}/feedback/{number}/repeat",
        "/api/v1/programmes/{code}/feedback/{number}/recipients",
        "/api/v1/programmes/{code}/feedback/{number}/replies",
    ):
        assert path in paths, path
    states = schema["components"]["schemas"]["RecipientRead"]["properties"]["state"]["enum"]
    assert states == ["queued", "sent", "delivered", "failed"]


async def test_the_page_previews_cost_then_saves_then_sends(services: Services) -> None:
    """Check the cost (nothing saved), save (nothing sent), send: then delivery on the page."""
    await _people(services)
    async with signed_in(services, "lead@example.org", "lead") as http:
        # a lead sees only their programmes: link this one
        await link_lead(services, "PARK", "lead@example.org")
        page = await http.get("/admin/programmes/PARK/feedback")
        assert page.status_code == 200
        text = _text(page.text)
        assert "2 people asked to hear back and can be reached." in text
        token = csrf_of(page.text)
        form = {"text_en": EN, "text_cy": CY, "csrf_token": token}
        preview = await http.post(
            "/admin/programmes/PARK/feedback", data={**form, "action": "preview"}
        )
        assert preview.status_code == 200
        shown = _text(preview.text)
        assert "By text message: 1 part (52 characters, GSM-7)" in shown
        assert "UCS-2" in shown
        assert await _feedback_rows(services) == []
        saved = await http.post(
            "/admin/programmes/PARK/feedback", data={**form, "action": "create"}
        )
        assert saved.status_code == 303
        assert saved.headers["location"] == "/admin/programmes/PARK/feedback/1"
        round_page = await http.get(saved.headers["location"])
        assert "Send to 2 people" in round_page.text
        assert await _feedback_rows(services) == []
        sent = await http.post(
            "/admin/programmes/PARK/feedback/1/send",
            data={"csrf_token": csrf_of(round_page.text)},
        )
        assert sent.status_code == 303
        after = _text((await http.get(sent.headers["location"])).text)
        assert "2 messages are on the way." in after
        assert "2 Waiting to send" in after and "There is nobody else to send it to." in after
    assert len(await _feedback_rows(services)) == 2


async def test_the_page_says_what_is_missing(services: Services) -> None:
    """Saving without the Welsh text shows the reason and keeps the English typed."""
    await _people(services)
    async with signed_in(services, "admin@example.org", "admin") as http:
        page = await http.get("/admin/programmes/PARK/feedback")
        answer = await http.post(
            "/admin/programmes/PARK/feedback",
            data={"text_en": EN, "text_cy": "", "csrf_token": csrf_of(page.text)},
        )
    assert answer.status_code == 400
    assert "missing cy" in answer.text and EN in answer.text


async def test_staff_cannot_open_the_feedback_page(services: Services) -> None:
    """Staff do not send messages to everyone: 403."""
    await park(services)
    async with signed_in(services, "staff@example.org", "staff") as http:
        answer = await http.get("/admin/programmes/PARK/feedback")
    assert answer.status_code == 403


async def test_an_unknown_round_is_a_404_page(services: Services) -> None:
    await park(services)
    async with signed_in(services, "admin@example.org", "admin") as http:
        answer = await http.get("/admin/programmes/PARK/feedback/7")
        bad = await http.get("/admin/programmes/PARK/feedback/seven")
    assert answer.status_code == 404
    assert bad.status_code in (404, 422)
