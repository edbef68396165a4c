"""Translations for the room, and statements shown in their own language and direction."""

from __future__ import annotations

import csv
import io
import re

import httpx
from sqlalchemy import select

from admin.services.languages import html_lang, language_label
from collection.models import AuditEntry, Statement
from collection.runtime import Services
from tests.fixtures.exports.pdfcheck import page_texts
from tests.support.admin import assisted, csrf_of, make_programme, signed_in

URDU = "مجھے باغ پسند ہے"
"""'I like the garden'."""
TRANSLATION = "I like the garden"


async def _urdu_statement(services: Services) -> tuple[int, str]:
    programme = await make_programme(services, "PARK", languages=["en", "ur", "en@easyread"])
    response = await assisted(services, programme, {"working": [URDU]}, language="ur")
    async with services.sessions() as session:
        statement_id = (
            await session.execute(select(Statement.id).where(Statement.text == URDU))
        ).scalar_one()
    return statement_id, response.reference


def test_language_attributes_and_names() -> None:
    """Language codes become BCP 47 tags; the reviewer reads the name in English first."""
    assert html_lang("ur") == "ur"
    assert html_lang("en@easyread") == "en"
    assert html_lang("pt_BR") == "pt-BR"
    assert html_lang("") == "und" and html_lang('x" onclick="y') == "und"
    assert language_label("ur") == "Urdu (اردو)"
    assert language_label("cy") == "Welsh (Cymraeg)"
    assert language_label("en@easyread") == "Easy-read English"
    assert language_label("de") == "de"


async def _translate(http: httpx.AsyncClient, statement_id: int, text: str) -> str:
    token = csrf_of((await http.get("/admin/programmes/PARK/quality?show=all")).text)
    answer = await http.post(
        f"/admin/programmes/PARK/statements/{statement_id}/translate",
        data={"translation": text, "csrf_token": token, "back": "show=all"},
    )
    assert answer.status_code == 303
    return answer.headers["location"]


async def test_a_reviewer_adds_a_translation_and_it_is_audited(services: Services) -> None:
    statement_id, _ = await _urdu_statement(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        location = await _translate(http, statement_id, f"  {TRANSLATION}\r\n")
    assert "done=translated" in location and location.endswith(f"#s-{statement_id}")
    async with services.sessions() as session:
        statement = await session.get(Statement, statement_id)
        entries = list(
            (await session.execute(select(AuditEntry).where(AuditEntry.action.like("statement.%"))))
            .scalars()
            .all()
        )
    assert statement is not None and statement.translation == TRANSLATION
    assert statement.text == URDU and statement.card_text is None
    assert [(e.action, e.actor) for e in entries] == [("statement.translate", "lead@example.org")]
    assert entries[0].detail["translated"] is True and entries[0].detail["language"] == "ur"
    assert TRANSLATION not in str(entries[0].detail)  # the log never copies people's words


async def test_removing_and_unchanged_translations(services: Services) -> None:
    """An empty box removes the translation; saving the same one again changes nothing."""
    statement_id, _ = await _urdu_statement(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        await _translate(http, statement_id, TRANSLATION)
        assert "done=saved" in await _translate(http, statement_id, TRANSLATION)
        assert "done=untranslated" in await _translate(http, statement_id, "   ")
    async with services.sessions() as session:
        statement = await session.get(Statement, statement_id)
    assert statement is not None and statement.translation is None


async def test_a_very_long_translation_is_refused(services: Services) -> None:
    statement_id, _ = await _urdu_statement(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        token = csrf_of((await http.get("/admin/programmes/PARK/quality")).text)
        answer = await http.post(
            f"/admin/programmes/PARK/statements/{statement_id}/translate",
            data={"translation": "x" * 2001, "csrf_token": token},
        )
    assert answer.status_code == 400 and "at most 2,000 characters" in answer.text


async def test_staff_cannot_translate(services: Services) -> None:
    statement_id, _ = await _urdu_statement(services)
    async with signed_in(services, "staff@example.org", "staff") as http:
        token = csrf_of((await http.get("/admin/programmes/PARK")).text)
        answer = await http.post(
            f"/admin/programmes/PARK/statements/{statement_id}/translate",
            data={"translation": "nope", "csrf_token": token},
        )
    assert answer.status_code == 403


async def test_the_translation_reaches_the_quality_page_cards_and_spreadsheet(
    services: Services,
) -> None:
    """Shown to the reviewer, printed beneath the statement on the card, in the CSV."""
    statement_id, _ = await _urdu_statement(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        await _translate(http, statement_id, TRANSLATION)
        quality = (await http.get("/admin/programmes/PARK/quality?show=all")).text
        preview = (await http.get("/admin/programmes/PARK/export")).text
        cards = await http.get("/admin/programmes/PARK/export/cards")
        table = await http.get("/admin/programmes/PARK/export/csv")
    shown = 'Translation for the room: <span class="statement-text" translate="no" dir="auto">'
    assert shown + TRANSLATION in quality
    assert "Change the translation" in quality
    assert f'<p class="preview-translation" dir="auto">{TRANSLATION}</p>' in preview
    assert TRANSLATION in page_texts(cards.content)[1]
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert [(r["translation"], r["language"]) for r in rows] == [(TRANSLATION, "ur")]


async def test_statements_show_in_their_language_and_direction(services: Services) -> None:
    """Urdu is marked lang="ur" and dir="auto" wherever the admin shows a statement."""
    _, reference = await _urdu_statement(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        pages = {
            "quality": (await http.get("/admin/programmes/PARK/quality?show=all")).text,
            "participants": (await http.get(f"/admin/participants?reference={reference}")).text,
            "preview": (await http.get("/admin/programmes/PARK/export")).text,
        }
    for name, page in pages.items():
        marked = re.search(rf'<[^>]+dir="auto" lang="ur"[^>]*>{URDU}<', page)
        assert marked, f"the {name} page does not mark the Urdu statement"
    assert 'Language: <span class="language-name">Urdu (اردو)</span>' in pages["quality"]


async def test_easy_read_statements_are_marked_as_english(services: Services) -> None:
    programme = await make_programme(services, "PARK", languages=["en", "en@easyread"])
    await assisted(services, programme, {"working": ["I like my room"]}, language="en@easyread")
    async with signed_in(services, "lead@example.org", "admin") as http:
        page = (await http.get("/admin/programmes/PARK/quality?show=all")).text
    assert re.search(r'dir="auto" lang="en">I like my room<', page)
    assert "en@easyread" not in re.findall(r'lang="([^"]+)"', page)
