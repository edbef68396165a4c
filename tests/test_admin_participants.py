"""Finding a response by reference, and erasing a person completely."""

from __future__ import annotations

from sqlalchemy import select

from collection.intake import InboundMessage
from collection.models import (
    AuditEntry,
    InboundLog,
    OutboxMessage,
    Participant,
    Pick,
    Response,
    Statement,
)
from collection.runtime import Services
from tests.support.admin import assisted, csrf_of, make_programme, signed_in

PHONE = "+447911123456"


async def _sms_conversation(services: Services) -> str:
    lines = [
        "PARK",
        "YES",
        "1",
        "My carer is kind",
        "DONE",
        "The bus",
        "DONE",
        "Friends",
        "DONE",
        "YES",
        "YES",
    ]
    for number, text in enumerate(lines):
        await services.intake.handle(
            InboundMessage(channel="sms", address=PHONE, text=text, external_id=f"SM{number}")
        )
    async with services.sessions() as session:
        return (await session.execute(select(Response.reference))).scalar_one()


async def test_find_by_reference_never_shows_the_number(services: Services) -> None:
    """Looking up a reference shows the answers and that contact details exist, never them."""
    await make_programme(services, "PARK")
    reference = await _sms_conversation(services)
    async with signed_in(services, "staff@example.org", "staff") as http:
        page = await http.get(f"/admin/participants?reference={reference.lower()}")
        missing = await http.get("/admin/participants?reference=R-AAAAAA")
    assert page.status_code == 200
    # Staff find the response but cannot read the words (as in the API); leads and admins can.
    assert "My carer is kind" not in page.text and "Yes (hidden)" in page.text
    assert "7911" not in page.text
    assert missing.status_code == 404


async def test_erase_removes_everything_and_audits(services: Services) -> None:
    """Erasure removes statements, picks, contact and message text, with an audit entry."""
    await make_programme(services, "PARK")
    reference = await _sms_conversation(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        page = await http.get(f"/admin/participants/{reference}/erase")
        assert "cannot be undone" in page.text
        wrong = await http.post(
            f"/admin/participants/{reference}/erase",
            data={"confirm": "R-XXXXXX", "csrf_token": csrf_of(page.text)},
        )
        assert wrong.status_code == 400
        answer = await http.post(
            f"/admin/participants/{reference}/erase",
            data={"confirm": reference, "csrf_token": csrf_of(page.text)},
        )
        assert answer.status_code == 303
    async with services.sessions() as session:
        for model in (Response, Statement, Pick, Participant, OutboxMessage):
            assert (await session.execute(select(model))).first() is None, model
        logs = list((await session.execute(select(InboundLog))).scalars())
        entries = list((await session.execute(select(AuditEntry))).scalars())
    assert logs and all(log.text is None and log.participant_id is None for log in logs)
    erase = [e for e in entries if e.action == "participant.erase"]
    assert erase and erase[0].target == reference and erase[0].detail["responses"] == 1


async def test_erase_assisted_response(services: Services) -> None:
    """A typed-in response (no contact) is erased on its own."""
    programme = await make_programme(services, "PARK")
    response = await assisted(services, programme, {"working": ["Lunch"]})
    async with signed_in(services, "lead@example.org", "admin") as http:
        page = await http.get(f"/admin/participants/{response.reference}/erase")
        await http.post(
            f"/admin/participants/{response.reference}/erase",
            data={"confirm": response.reference, "csrf_token": csrf_of(page.text)},
        )
    async with services.sessions() as session:
        assert (await session.execute(select(Statement))).first() is None


async def test_staff_cannot_erase(services: Services) -> None:
    """Only leads and admins erase; staff are told to ask their lead."""
    programme = await make_programme(services, "PARK")
    response = await assisted(services, programme, {"working": ["Lunch"]})
    async with signed_in(services, "staff@example.org", "staff") as http:
        page = await http.get(f"/admin/participants?reference={response.reference}")
        assert "ask your project lead" in page.text
        answer = await http.post(
            f"/admin/participants/{response.reference}/erase",
            data={"confirm": response.reference, "csrf_token": csrf_of(page.text)},
        )
    assert answer.status_code == 403
    async with services.sessions() as session:
        assert (await session.execute(select(Statement))).first() is not None
