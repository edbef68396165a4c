"""The export page and the web chat's layout in a real browser, against a real server.

Same Chromium, launch settings and axe-core check as test_admin_browser.py. The
server has its own database with a programme of 60 people (so the cards export
runs long enough to show progress) and its own WTFC_EXPORT_DIR. Screenshots go
to test-artifacts/admin/ for a person to look at.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from admin.services.users import create_user
from collection.assisted import AssistedAnswers, record_assisted
from collection.migrate import upgrade
from collection.models import Statement
from collection.programmes import create_programme
from collection.settings import Settings
from tests.conftest import TEST_SECRET
from tests.support.browser import serve_in_thread
from tests.test_admin_browser import (
    ARTIFACTS,
    AXE,
    EMAIL,
    PASSWORD,
    _serious,
    browser,
    chat_say,
    shot,
    sign_in,
)
from wtfc.app import build_services, create_app

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the module-scoped Chromium fixture, shared with test_admin_browser

PEOPLE = 60
URDU = "مجھے باغ پسند ہے"


async def _prepare(settings: Settings) -> None:
    services = build_services(settings)
    try:
        async with services.sessions() as session, session.begin():
            await create_user(session=session, email=EMAIL, password=PASSWORD, role="admin")
            programme = await create_programme(
                session=session,
                name="Park Lane day centre",
                code="PARK",
                purpose="We are using Working Together for Change to hear what matters to "
                "people at Park Lane, so that we can change what is not working.",
                languages=["en", "ur"],
                future_colour="#1f6fb2",
            )
            now = datetime.now(UTC)
            for n in range(PEOPLE):
                await record_assisted(
                    session=session,
                    programme=programme,
                    answers=AssistedAnswers(
                        statements={
                            "working": [f"Person {n} likes the garden on sunny days"],
                            "not_working": [f"Person {n} waits too long for the bus"],
                            "future": [f"Person {n} wants to learn to cook"],
                        },
                        perspective="carer" if n % 3 == 0 else "person",
                    ),
                    assisted_by="staff@example.org",
                    now=now,
                )
            await record_assisted(
                session=session,
                programme=programme,
                answers=AssistedAnswers(statements={"working": [URDU]}, language="ur"),
                assisted_by="staff@example.org",
                now=now,
            )
            urdu = (
                await session.execute(select(Statement).where(Statement.text == URDU))
            ).scalar_one()
            urdu.translation = "I like the garden"
    finally:
        await services.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server on a free port, its own SQLite database and export folder."""
    folder = tmp_path_factory.mktemp("export-browser")
    url = f"sqlite+aiosqlite:///{folder / 'wtfc.db'}"
    upgrade(url)
    settings = Settings(
        WTFC_DATABASE_URL=url,
        WTFC_SECRET_KEY=TEST_SECRET,
        WTFC_EXPORT_DIR=str(folder / "exports"),
    )
    asyncio.run(_prepare(settings))
    with serve_in_thread(create_app(settings, background=False)) as base_url:
        yield base_url


def test_lead_previews_and_exports_cards_with_a_progress_bar(server: str, browser: Any) -> None:
    """The preview shows the first 8 cards; a cards export shows progress, then downloads."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, server)
    page.goto(f"{server}/admin/programmes/PARK/export")
    cards = page.locator(".preview-card")
    assert cards.count() == 8
    assert cards.first.get_attribute("data-reference") == "W-01"
    assert cards.first.locator(".preview-ref").inner_text() == "W-01"
    colours = {
        name: page.locator(f".preview-card.card-{name}").first.evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for name in ("working",)
    }
    assert colours == {"working": "rgb(46, 125, 50)"}
    assert (
        page.locator(".key-future").evaluate("e => getComputedStyle(e).backgroundColor")
        == "rgb(31, 111, 178)"
    )
    shot(page, "13-export")

    seen: list[tuple[float, float]] = []
    page.get_by_label("Cards to cut out (PDF)").check()
    page.get_by_label("Every statement").check()
    page.get_by_role("button", name="Make the download").click()
    bar = page.locator("#export-progress")
    bar.wait_for(state="visible")
    download_link = page.locator("#export-download")
    deadline = time.monotonic() + 120
    while not download_link.is_visible():
        assert time.monotonic() < deadline, "the export did not finish"
        seen.append(bar.evaluate("b => [b.value, b.max]"))
        if len(seen) == 1:
            shot(page, "14-export-running")
        page.wait_for_timeout(100)
    value, maximum = bar.evaluate("b => [b.value, b.max]")
    assert value == maximum == 3 * PEOPLE + 1
    assert page.locator("#export-message").inner_text().startswith("Ready")
    assert all(v <= m for v, m in seen)  # seen is empty if the export beat the first look
    shot(page, "15-export-ready")
    with page.expect_download() as download:
        download_link.click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert download.value.suggested_filename == "park-cards-all.pdf"
    (ARTIFACTS / "cards-PARK.pdf").write_bytes(pdf)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/admin/programmes/PARK/export")
    shot(page, "18-export-phone")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


def test_without_javascript_the_form_downloads_directly(server: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server}/admin/programmes/PARK/export")
    page.get_by_label("Spreadsheet as CSV").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the download").click()
    assert download.value.suggested_filename == "park-csv-picks.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("reference,category") and URDU in text
    context.close()


@pytest.mark.skipif(not AXE.exists(), reason="run scripts/install-tools for axe-core")
def test_export_page_passes_axe(server: str, browser: Any) -> None:
    """No serious or critical problems, with the preview and with a finished export showing."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server}/admin/programmes/PARK/export?all=true")
    before = _serious(page)
    page.get_by_label("Spreadsheet as CSV").check()
    page.get_by_role("button", name="Make the download").click()
    page.locator("#export-download").wait_for(state="visible", timeout=60_000)
    after = _serious(page)
    assert not before and not after, (before, after)
    context.close()


def test_urdu_reads_right_to_left_with_its_translation(server: str, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server}/admin/programmes/PARK/quality?show=all")
    urdu = page.locator(".statement-text", has_text=URDU).first
    assert urdu.get_attribute("lang") == "ur"
    assert urdu.evaluate("e => getComputedStyle(e).direction") == "rtl"
    card = page.locator("li.card", has=urdu)
    card.get_by_text("Change the translation").click()
    assert card.get_by_label("Translation").input_value() == "I like the garden"
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(ARTIFACTS / "17-quality-urdu-translation.png"))
    context.close()


def test_chat_composer_never_covers_the_last_message(server: str, browser: Any) -> None:
    """Many messages, then a full-page screenshot: the last bubble sits above the composer."""
    context = browser.new_context(viewport={"width": 800, "height": 700})
    chat = context.new_page()
    with chat.expect_response(lambda r: r.url.endswith("/chat/messages")):
        chat.goto(f"{server}/chat?code=PARK")
    for text in (
        "YES",
        "1",
        "Lunch is hot",
        "The garden",
        "DONE",
        "Buses",
        "DONE",
        "Trips",
        "DONE",
    ):
        chat_say(chat, text)
    chat.wait_for_function(
        "() => { const l = document.getElementById('messages'), m = l.lastElementChild;"
        " return m.textContent.includes('Trips') && m.querySelector('button')"
        " && m.getBoundingClientRect().bottom <= l.getBoundingClientRect().bottom + 0.5; }",
        timeout=5_000,
    )
    last = chat.locator("#messages li").last
    composer = chat.locator("#composer")
    last_box, composer_box = last.bounding_box(), composer.bounding_box()
    assert last_box is not None and composer_box is not None
    assert last_box["y"] + last_box["height"] <= composer_box["y"] + 0.5
    assert "Trips" in last.inner_text()  # the summary of their answers, the newest message
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chat.screenshot(path=str(ARTIFACTS / "16-web-chat-long.png"), full_page=True)
    overflow = chat.evaluate(
        "() => { const l = document.getElementById('messages');"
        " return l.scrollHeight - l.clientHeight; }"
    )
    assert overflow > 0, "too few messages to test the scrolling"
    context.close()
