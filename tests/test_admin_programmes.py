"""Programmes in the admin: preparing one, roles, leads seeing only their own, progress."""

from __future__ import annotations

from sqlalchemy import select

from collection.intake import InboundMessage
from collection.models import AuditEntry, Programme, User
from collection.runtime import Services
from tests.support.admin import assisted, csrf_of, link_lead, make_programme, signed_in

FORM = {
    "name": "Park Lane day centre",
    "code": "park",
    "purpose": "We are using WTfC to hear from people so that we change what is not working.",
    "level": "provider",
    "target": "40",
    "segment_name_0": "Homecare",
    "segment_target_0": "25",
    "segment_name_1": "Day services",
    "segment_target_1": "15",
    "starts_on": "2026-01-05",
    "ends_on": "2026-03-31",
    "languages": ["en", "cy"],
    "future_colour": "#6a3d9a",
    "max_statements": "4",
    "reminder_after_hours": "48",
    "reminder_count": "2",
    "quiet_close_days": "10",
    "retention_days": "60",
    "sms_number": "+44 7700 900123",
    "status": "collecting",
}


async def test_lead_prepares_a_programme_with_every_field(services: Services) -> None:
    """A lead creates a programme from the form; every field is stored and it is audited."""
    async with signed_in(services, "lead@example.org", "lead") as http:
        page = await http.get("/admin/programmes/new")
        assert "15 people (20%) is the smallest sample seen to work" in page.text
        answer = await http.post(
            "/admin/programmes/new", data={**FORM, "csrf_token": csrf_of(page.text)}
        )
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/admin/programmes/PARK")
        listing = await http.get("/admin")
    assert "Park Lane day centre" in listing.text
    async with services.sessions() as session:
        p = (await session.execute(select(Programme))).scalar_one()
        actions = [e.action for e in (await session.execute(select(AuditEntry))).scalars()]
    assert (p.code, p.level, p.target, p.status) == ("PARK", "provider", 40, "collecting")
    assert p.segments == [
        {"name": "Homecare", "target": 25},
        {"name": "Day services", "target": 15},
    ]
    assert p.languages == ["en", "cy"] and p.future_colour == "#6a3d9a"
    assert (p.max_statements, p.reminder_after_hours, p.reminder_count) == (4, 48, 2)
    assert (p.quiet_close_days, p.retention_days, p.sms_number) == (10, 60, "+44 7700 900123")
    assert str(p.starts_on) == "2026-01-05" and str(p.ends_on) == "2026-03-31"
    assert "programme.create" in actions


async def test_bad_programme_form_explains_the_problem(services: Services) -> None:
    """Wrong values come back with plain-English messages and the values kept."""
    async with signed_in(services, "lead@example.org", "lead") as http:
        page = await http.get("/admin/programmes/new")
        answer = await http.post(
            "/admin/programmes/new",
            data={**FORM, "target": "0", "ends_on": "2025-01-01", "csrf_token": csrf_of(page.text)},
        )
    assert answer.status_code == 400
    assert "Target sample" in answer.text
    assert "Park Lane day centre" in answer.text


async def test_staff_cannot_create_or_edit_programmes(services: Services) -> None:
    """Staff see progress but cannot prepare or change a programme."""
    await make_programme(services, "PARK")
    async with signed_in(services, "staff@example.org", "staff") as http:
        assert (await http.get("/admin/programmes/PARK")).status_code == 200
        assert (await http.get("/admin/programmes/new")).status_code == 403
        assert (await http.get("/admin/programmes/PARK/edit")).status_code == 403
        token = csrf_of((await http.get("/admin")).text)
        answer = await http.post(
            "/admin/programmes/PARK/edit", data={**FORM, "name": "Changed", "csrf_token": token}
        )
    assert answer.status_code == 403
    async with services.sessions() as session:
        assert (await session.execute(select(Programme.name))).scalar_one() == "Programme PARK"


async def test_staff_cannot_export_or_review(services: Services) -> None:
    """Staff get 403 on exports, the quality page and statement edits."""
    programme = await make_programme(services, "PARK")
    response = await assisted(services, programme, {"working": ["The staff"]})
    async with services.sessions() as session:
        from collection.models import Statement

        statement_id = (await session.execute(select(Statement.id))).scalar_one()
    async with signed_in(services, "staff@example.org", "staff") as http:
        assert (await http.get("/admin/programmes/PARK/export")).status_code == 403
        assert (await http.get("/admin/programmes/PARK/export/csv")).status_code == 403
        assert (await http.get("/admin/programmes/PARK/quality")).status_code == 403
        token = csrf_of((await http.get("/admin")).text)
        edit = await http.post(
            f"/admin/programmes/PARK/statements/{statement_id}/edit",
            data={"card_text": "changed", "csrf_token": token},
        )
        erase = await http.get(f"/admin/participants/{response.reference}/erase")
    assert edit.status_code == 403 and erase.status_code == 403


async def test_lead_sees_only_their_programmes(services: Services) -> None:
    """A lead's list, pages and API show their own programmes and 404 for others."""
    await make_programme(services, "MINE")
    await make_programme(services, "THEIRS")
    async with signed_in(services, "lead@example.org", "lead") as http:
        await link_lead(services, "MINE", "lead@example.org")
        listing = await http.get("/admin")
        assert "Programme MINE" in listing.text and "Programme THEIRS" not in listing.text
        assert (await http.get("/admin/programmes/MINE")).status_code == 200
        assert (await http.get("/admin/programmes/THEIRS")).status_code == 404
        assert (await http.get("/admin/programmes/THEIRS/quality")).status_code == 404
        assert (await http.get("/admin/programmes/THEIRS/progress.json")).status_code == 404


async def test_admin_assigns_leads(services: Services) -> None:
    """An admin ticks which leads run a programme; the lead then sees it."""
    await make_programme(services, "PARK")
    async with signed_in(services, "lead@example.org", "lead") as lead_http:
        assert (await lead_http.get("/admin/programmes/PARK")).status_code == 404
        async with signed_in(services, "admin@example.org", "admin") as http:
            page = await http.get("/admin/programmes/PARK/edit")
            assert "lead@example.org" in page.text
            async with services.sessions() as session:
                lead_id = (
                    await session.execute(select(User.id).where(User.role == "lead"))
                ).scalar_one()
            answer = await http.post(
                "/admin/programmes/PARK/edit",
                data={**FORM, "leads": [str(lead_id)], "csrf_token": csrf_of(page.text)},
            )
            assert answer.status_code == 303
        assert (await lead_http.get("/admin/programmes/PARK")).status_code == 200


async def test_admin_only_pages(services: Services) -> None:
    """Logins and the audit log are for administrators only."""
    async with signed_in(services, "lead@example.org", "lead") as http:
        assert (await http.get("/admin/users")).status_code == 403
        assert (await http.get("/admin/audit")).status_code == 403
    async with signed_in(services, "admin@example.org", "admin") as http:
        assert (await http.get("/admin/users")).status_code == 200
        audit_page = await http.get("/admin/audit")
    assert audit_page.status_code == 200 and "login" in audit_page.text


async def test_progress_counts_a_web_chat_conversation(services: Services) -> None:
    """A conversation finished in the web chat shows on the progress page and its JSON."""
    await make_programme(services, "PARK", target=10)
    lines = [
        "PARK",
        "YES",
        "1",
        "The staff are kind",
        "DONE",
        "The bus is late",
        "DONE",
        "To see my friends",
        "DONE",
        "YES",
    ]
    for number, text in enumerate(lines):
        await services.intake.handle(
            InboundMessage(
                channel="web",
                address="session-1",
                text=text,
                external_id=f"m{number}",
                join_code="PARK" if number == 0 else None,
            )
        )
    async with signed_in(services, "staff@example.org", "staff") as http:
        page = await http.get("/admin/programmes/PARK")
        data = (await http.get("/admin/programmes/PARK/progress.json")).json()
    assert data["progress"]["completed"] == 1, data
    assert data["progress"]["channels"]["web"]["completed"] == 1
    assert data["progress"]["perspectives"]["person"]["started"] == 1
    assert '<span class="value" id="count-completed">1</span>' in page.text
    assert "<svg" in page.text and 'role="img"' in page.text
    assert "Web chat" in data["html"]


async def test_progress_per_segment_and_staff_assisted(services: Services) -> None:
    """Segments get their own bars against their targets; assisted entries count by channel."""
    programme = await make_programme(
        services,
        "PARK",
        target=4,
        segments=[{"name": "Homecare", "target": 3}, {"name": "Day services", "target": 1}],
    )
    await assisted(
        services, programme, {"working": ["Good"]}, segment="Homecare", perspective="carer"
    )
    async with signed_in(services, "staff@example.org", "staff") as http:
        data = (await http.get("/admin/programmes/PARK/progress.json")).json()["progress"]
    assert data["segments"]["Homecare"] == {"started": 1, "completed": 1, "target": 3}
    assert data["segments"]["Day services"]["completed"] == 0
    assert data["channels"]["assisted"]["completed"] == 1
    assert data["perspectives"]["carer"]["completed"] == 1
    assert data["categories"][0] == {"category": "working", "statements": 1, "picks": 1}
