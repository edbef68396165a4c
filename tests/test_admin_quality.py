"""The quality checkpoint page and a reviewer's actions on statements."""

from __future__ import annotations

from sqlalchemy import select

from collection.models import AuditEntry, Statement
from collection.runtime import Services
from tests.support.admin import assisted, csrf_of, make_programme, signed_in


async def _statement_id(services: Services, text: str) -> int:
    async with services.sessions() as session:
        return (
            await session.execute(select(Statement.id).where(Statement.text == text))
        ).scalar_one()


async def test_script_in_a_statement_shows_as_text(services: Services) -> None:
    """A statement containing <script> is escaped on every page that shows it."""
    programme = await make_programme(services, "PARK")
    evil = '<script>alert("x")</script> and <b>bold</b>'
    response = await assisted(services, programme, {"working": [evil]})
    async with signed_in(services, "lead@example.org", "admin") as http:
        quality = await http.get("/admin/programmes/PARK/quality?show=all")
        found = await http.get(f"/admin/participants?reference={response.reference}")
    for page in (quality, found):
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


async def test_quality_page_lists_flags_and_summary(services: Services) -> None:
    """Flagged statements show with their flag names; the summary splits by staff member."""
    programme = await make_programme(services, "PARK")
    await assisted(
        services, programme, {"working": ["Help with dietary intake"]}, by="amy@example.org"
    )
    await assisted(services, programme, {"working": ["The garden is lovely"]}, by="ben@example.org")
    async with signed_in(services, "lead@example.org", "admin") as http:
        page = await http.get("/admin/programmes/PARK/quality")
    assert page.status_code == 200
    assert "Professional language" in page.text and "dietary intake" in page.text
    assert "The garden is lovely" not in page.text  # only flagged ones by default
    assert "amy@example.org" in page.text and "ben@example.org" in page.text
    assert "By staff member who typed answers in" in page.text


async def test_edit_card_text_keeps_the_original_and_audits(services: Services) -> None:
    """Editing the card keeps the person's words in `text` and writes an audit entry."""
    programme = await make_programme(services, "PARK")
    await assisted(services, programme, {"working": ["My carer Sarah helps me"]})
    statement_id = await _statement_id(services, "My carer Sarah helps me")
    async with signed_in(services, "lead@example.org", "admin") as http:
        token = csrf_of((await http.get("/admin/programmes/PARK/quality")).text)
        answer = await http.post(
            f"/admin/programmes/PARK/statements/{statement_id}/edit",
            data={
                "card_text": "My carer helps me",
                "csrf_token": token,
                "back": "show=all&category=&hide_reviewed=",
            },
        )
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/admin/programmes/PARK/quality?show=all")
    async with services.sessions() as session:
        statement = await session.get(Statement, statement_id)
        entries = list((await session.execute(select(AuditEntry))).scalars())
    assert statement is not None
    assert (statement.text, statement.card_text) == ("My carer Sarah helps me", "My carer helps me")
    edit = [e for e in entries if e.action == "statement.edit"]
    assert edit and edit[0].detail["statement_id"] == statement_id
    assert "Sarah" not in str(edit[0].detail)  # the audit never copies people's words


async def test_exclude_needs_a_reason_then_include_again(services: Services) -> None:
    """Leaving a statement out needs a reason; it can be put back; both are audited."""
    programme = await make_programme(services, "PARK")
    await assisted(services, programme, {"working": ["ok"]})
    statement_id = await _statement_id(services, "ok")
    base = f"/admin/programmes/PARK/statements/{statement_id}"
    async with signed_in(services, "lead@example.org", "admin") as http:
        token = csrf_of((await http.get("/admin/programmes/PARK/quality")).text)
        refused = await http.post(f"{base}/exclude", data={"reason": " ", "csrf_token": token})
        assert refused.status_code == 400
        await http.post(f"{base}/exclude", data={"reason": "Nothing to say", "csrf_token": token})
        async with services.sessions() as session:
            statement = await session.get(Statement, statement_id)
            assert statement is not None and statement.excluded
            assert statement.exclude_reason == "Nothing to say"
        await http.post(f"{base}/include", data={"csrf_token": token})
        await http.post(f"{base}/reviewed", data={"csrf_token": token})
    async with services.sessions() as session:
        statement = await session.get(Statement, statement_id)
        actions = [e.action for e in (await session.execute(select(AuditEntry))).scalars()]
    assert statement is not None and not statement.excluded and statement.reviewed
    assert {"statement.exclude", "statement.include", "statement.reviewed"} <= set(actions)


async def test_edited_word_list_applies_at_once(services: Services) -> None:
    """A phrase added to the word list flags statements already collected."""
    programme = await make_programme(services, "PARK")
    await assisted(services, programme, {"working": ["The wraparound offer is good"]})
    async with signed_in(services, "lead@example.org", "lead") as http:
        from tests.support.admin import link_lead

        await link_lead(services, "PARK", "lead@example.org")
        before = await http.get("/admin/programmes/PARK/quality")
        assert "wraparound offer" not in before.text
        page = await http.get("/admin/programmes/PARK/words/en")
        assert "dietary intake" in page.text
        await http.post(
            "/admin/programmes/PARK/words/en",
            data={
                "phrases": "dietary intake\nwraparound offer\n",
                "csrf_token": csrf_of(page.text),
            },
        )
        after = await http.get("/admin/programmes/PARK/quality")
    assert "wraparound offer" in after.text


async def test_statement_of_another_programme_is_not_found(services: Services) -> None:
    """A statement id from another programme cannot be edited through this one."""
    await make_programme(services, "PARK")
    other = await make_programme(services, "OTHER")
    await assisted(services, other, {"working": ["Theirs"]})
    statement_id = await _statement_id(services, "Theirs")
    async with signed_in(services, "lead@example.org", "admin") as http:
        token = csrf_of((await http.get("/admin")).text)
        answer = await http.post(
            f"/admin/programmes/PARK/statements/{statement_id}/edit",
            data={"card_text": "x", "csrf_token": token},
        )
    assert answer.status_code == 404


async def test_export_is_audited(services: Services) -> None:
    """A lead's CSV download has the picks and is written to the audit log."""
    programme = await make_programme(services, "PARK")
    await assisted(services, programme, {"working": ["The garden is lovely"]})
    async with signed_in(services, "lead@example.org", "admin") as http:
        answer = await http.get("/admin/programmes/PARK/export/csv")
    assert answer.status_code == 200
    assert "The garden is lovely" in answer.text
    async with services.sessions() as session:
        actions = [e.action for e in (await session.execute(select(AuditEntry))).scalars()]
    assert "export" in actions


async def test_one_leads_word_list_never_flags_another_programmes_statements(
    services: Services,
) -> None:
    """Each programme has its own list: an edit for PARK changes nothing for OTHER."""
    from tests.support.admin import link_lead

    park = await make_programme(services, "PARK")
    other = await make_programme(services, "OTHER")
    for programme in (park, other):
        await assisted(
            services, programme, {"working": ["The wraparound offer is good", "My dietary intake"]}
        )
    async with signed_in(services, "lead@example.org", "lead") as http:
        await link_lead(services, "PARK", "lead@example.org")
        page = await http.get("/admin/programmes/PARK/words/en")
        saved = await http.post(
            "/admin/programmes/PARK/words/en",
            data={"phrases": "wraparound offer\n", "csrf_token": csrf_of(page.text)},
        )
        assert saved.status_code == 303
        park_page = await http.get("/admin/programmes/PARK/quality")
    async with signed_in(services, "other@example.org", "lead") as http:
        await link_lead(services, "OTHER", "other@example.org")
        other_page = await http.get("/admin/programmes/OTHER/quality")
        other_list = await http.get("/admin/programmes/OTHER/words/en")
    assert "“wraparound offer”" in park_page.text
    assert "“wraparound offer”" not in other_page.text
    assert "wraparound offer" not in other_list.text
    assert "dietary intake" in other_list.text  # OTHER still uses the language's list
    async with services.sessions() as session:
        entry = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "wordlist.edit"))
        ).scalar_one()
    assert entry.target == "PARK" and entry.detail == {"language": "en", "phrases": 1}


async def test_a_programme_can_go_back_to_the_languages_list(services: Services) -> None:
    """Resetting removes the programme's own list; the starting list applies again."""
    await make_programme(services, "PARK")
    async with signed_in(services, "lead@example.org", "admin") as http:
        page = await http.get("/admin/programmes/PARK/words/en")
        await http.post(
            "/admin/programmes/PARK/words/en",
            data={"phrases": "wraparound offer\n", "csrf_token": csrf_of(page.text)},
        )
        own = await http.get("/admin/programmes/PARK/words/en")
        assert "This programme has its own list" in own.text
        await http.post(
            "/admin/programmes/PARK/words/en",
            data={"reset": "1", "csrf_token": csrf_of(own.text)},
        )
        back = await http.get("/admin/programmes/PARK/words/en")
    assert "dietary intake" in back.text and "wraparound offer" not in back.text
