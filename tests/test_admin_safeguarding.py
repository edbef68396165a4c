"""The admin's "needs attention" list and case page: who sees what, acknowledging, closing,
deciding the card, and revealing the person's contact details (audited)."""

from __future__ import annotations

from sqlalchemy import select

from admin.services import access
from collection.intake import InboundMessage
from collection.models import AuditEntry, Programme, SafeguardingCase, Statement, User
from collection.runtime import Services
from tests.support.admin import csrf_of, make_programme, signed_in

PHONE = "+447700900123"
DISCLOSURE = "my brother keeps all my benefit money"


async def disclose(services: Services, code: str = "PARK", address: str = PHONE) -> int:
    """A person texts a disclosure to the programme; returns the case id."""
    for text in (code, "YES", "1", DISCLOSURE):
        await services.intake.handle(InboundMessage(channel="sms", address=address, text=text))
    async with services.sessions() as session:
        case = (
            (await session.execute(select(SafeguardingCase).order_by(SafeguardingCase.id.desc())))
            .scalars()
            .first()
        )
    assert case is not None
    return case.id


async def link_lead(services: Services, email: str, code: str) -> None:
    async with services.sessions() as session, session.begin():
        user = (await session.execute(select(User).where(User.email == email))).scalar_one()
        programme = (
            await session.execute(select(Programme).where(Programme.code == code))
        ).scalar_one()
        await access.link_lead(session=session, programme=programme, user=user)


async def test_the_navigation_counts_open_cases_and_the_list_shows_them(services: Services) -> None:
    """An admin sees "Needs attention 1" on every page and the case in the open list."""
    await make_programme(services, "PARK")
    case_id = await disclose(services)
    async with signed_in(services, "ada@example.org", "admin") as http:
        home = await http.get("/admin")
        assert "Needs attention" in home.text and '<span class="count">1' in home.text
        page = await http.get("/admin/safeguarding")
    assert page.status_code == 200
    assert f'href="/admin/safeguarding/{case_id}"' in page.text
    assert DISCLOSURE in page.text and "Financial or material abuse" in page.text
    assert PHONE not in page.text


async def test_acknowledge_then_close_with_an_outcome(services: Services) -> None:
    """Acknowledged shows who and when; closing needs an outcome; the count goes down."""
    await make_programme(services, "PARK")
    case_id = await disclose(services)
    async with signed_in(services, "lee@example.org", "lead") as http:
        await link_lead(services, "lee@example.org", "PARK")
        page = await http.get(f"/admin/safeguarding/{case_id}")
        token = csrf_of(page.text)
        answer = await http.post(
            f"/admin/safeguarding/{case_id}/acknowledge", data={"csrf_token": token}
        )
        assert answer.status_code == 303
        listing = await http.get("/admin/safeguarding")
        assert "lee@example.org" in listing.text
        assert '<span class="count">' not in listing.text
        empty = await http.post(
            f"/admin/safeguarding/{case_id}/close", data={"csrf_token": token, "outcome": " "}
        )
        assert empty.status_code == 400 and "say what was done" in empty.text
        done = await http.post(
            f"/admin/safeguarding/{case_id}/close",
            data={"csrf_token": token, "outcome": "Raised with adult safeguarding, ref 77"},
        )
        assert done.status_code == 303
        listing = await http.get("/admin/safeguarding")
    assert "Raised with adult safeguarding, ref 77" in listing.text
    async with services.sessions() as session:
        case = await session.get(SafeguardingCase, case_id)
        assert case is not None and case.status == "closed"
        assert case.acknowledged_by == case.closed_by == "lee@example.org"


async def test_a_lead_reveals_the_contact_and_it_is_audited(services: Services) -> None:
    """The phone number appears only after the button, and the audit log says who saw it."""
    await make_programme(services, "PARK")
    case_id = await disclose(services)
    async with signed_in(services, "lee@example.org", "lead") as http:
        await link_lead(services, "lee@example.org", "PARK")
        page = await http.get(f"/admin/safeguarding/{case_id}")
        assert PHONE not in page.text
        shown = await http.post(
            f"/admin/safeguarding/{case_id}/reveal", data={"csrf_token": csrf_of(page.text)}
        )
    assert shown.status_code == 200 and PHONE in shown.text
    assert shown.headers["cache-control"] == "no-store"
    async with services.sessions() as session:
        entry = (
            await session.execute(
                select(AuditEntry).where(AuditEntry.action == "safeguarding.reveal")
            )
        ).scalar_one()
    assert entry.actor == "lee@example.org" and entry.target == f"case {case_id}"
    assert PHONE not in str(entry.detail)


async def test_staff_see_the_case_but_cannot_read_reveal_or_close(services: Services) -> None:
    """Staff see that a case exists and may acknowledge it; the words, contact details and
    closing are for leads and admins."""
    await make_programme(services, "PARK")
    case_id = await disclose(services)
    async with signed_in(services, "sam@example.org", "staff") as http:
        listing = await http.get("/admin/safeguarding")
        assert f"Case {case_id}" in listing.text and DISCLOSURE not in listing.text
        page = await http.get(f"/admin/safeguarding/{case_id}")
        assert page.status_code == 200 and DISCLOSURE not in page.text
        assert "Financial or material abuse" in page.text
        assert "Show how to reach this person" not in page.text
        token = csrf_of(page.text)
        reveal = await http.post(
            f"/admin/safeguarding/{case_id}/reveal", data={"csrf_token": token}
        )
        close = await http.post(
            f"/admin/safeguarding/{case_id}/close", data={"csrf_token": token, "outcome": "x"}
        )
        ack = await http.post(
            f"/admin/safeguarding/{case_id}/acknowledge", data={"csrf_token": token}
        )
    assert reveal.status_code == 403 and PHONE not in reveal.text
    assert close.status_code == 403
    assert ack.status_code == 303


async def test_a_lead_sees_only_their_programmes_cases(services: Services) -> None:
    """Another programme's case is neither listed nor reachable by its number."""
    await make_programme(services, "PARK")
    await make_programme(services, "OAK")
    case_id = await disclose(services, "OAK")
    async with signed_in(services, "lee@example.org", "lead") as http:
        await link_lead(services, "lee@example.org", "PARK")
        listing = await http.get("/admin/safeguarding")
        page = await http.get(f"/admin/safeguarding/{case_id}")
        reveal = await http.post(
            f"/admin/safeguarding/{case_id}/reveal", data={"csrf_token": csrf_of(listing.text)}
        )
    assert DISCLOSURE not in listing.text
    assert page.status_code == 404
    assert reveal.status_code == 404


async def test_deciding_the_card_edits_or_excludes_the_statement(services: Services) -> None:
    """Edit prints the new wording and keeps the original; the decision is recorded."""
    await make_programme(services, "PARK")
    case_id = await disclose(services)
    async with signed_in(services, "ada@example.org", "admin") as http:
        page = await http.get(f"/admin/safeguarding/{case_id}")
        assert "Held back from every export" in page.text
        token = csrf_of(page.text)
        bad = await http.post(
            f"/admin/safeguarding/{case_id}/decide",
            data={"csrf_token": token, "decision": "edit", "card_text": ""},
        )
        assert bad.status_code == 400
        answer = await http.post(
            f"/admin/safeguarding/{case_id}/decide",
            data={"csrf_token": token, "decision": "edit", "card_text": "Money worries at home"},
        )
        assert answer.status_code == 303
    async with services.sessions() as session:
        case = await session.get(SafeguardingCase, case_id)
        assert case is not None and case.decision == "edit"
        statement = await session.get(Statement, case.statement_id)
        assert statement is not None
        assert statement.card_text == "Money worries at home" and statement.text == DISCLOSURE


async def test_a_case_outlives_the_persons_delete(services: Services) -> None:
    """After DELETE the statement and the number are gone; the case keeps the words, and
    revealing says there is nothing left to show."""
    await make_programme(services, "PARK")
    case_id = await disclose(services)
    for text in ("DELETE", "YES"):
        await services.intake.handle(InboundMessage(channel="sms", address=PHONE, text=text))
    async with services.sessions() as session:
        case = await session.get(SafeguardingCase, case_id)
        assert case is not None
        assert case.text == DISCLOSURE
        assert case.statement_id is None and case.participant_id is None
    async with signed_in(services, "ada@example.org", "admin") as http:
        page = await http.get(f"/admin/safeguarding/{case_id}")
        shown = await http.post(
            f"/admin/safeguarding/{case_id}/reveal", data={"csrf_token": csrf_of(page.text)}
        )
    assert "The contact details have been erased." in shown.text
    assert PHONE not in shown.text


async def test_back_after_a_disclosure_keeps_the_case(services: Services) -> None:
    """BACK removes the statement from the answers; the case (and its alert) stays."""
    await make_programme(services, "PARK")
    case_id = await disclose(services)
    await services.intake.handle(InboundMessage(channel="sms", address=PHONE, text="BACK"))
    async with services.sessions() as session:
        case = await session.get(SafeguardingCase, case_id)
        assert case is not None and case.statement_id is None and case.status == "open"
