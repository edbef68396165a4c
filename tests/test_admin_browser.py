"""The admin in a real browser (Debian's Chromium via Playwright), against a real server.

One browser and one server for the module. Screenshots of each page go to
test-artifacts/admin/ for a person to look at; axe-core checks every admin page
and the web chat for serious or critical accessibility problems.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from admin.services.users import create_user
from collection.migrate import upgrade
from collection.runtime import Services
from collection.settings import Settings
from tests.conftest import TEST_SECRET
from tests.support.browser import ARGS, CHROMIUM, serve_in_thread
from wtfc.app import build_services, create_app

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "admin"
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
EMAIL, PASSWORD = "lead@example.org", "a browser test password"

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed (apt-get install -y chromium)", allow_module_level=True
    )


async def _prepare(settings: Settings) -> None:
    services: Services = build_services(settings)
    try:
        async with services.sessions() as session, session.begin():
            await create_user(session=session, email=EMAIL, password=PASSWORD, role="admin")
    finally:
        await services.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, on its own SQLite database."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('browser') / 'wtfc.db'}"
    upgrade(url)
    settings = Settings(
        WTFC_DATABASE_URL=url, WTFC_SECRET_KEY=TEST_SECRET, TELEGRAM_BOT_USERNAME="wtfc_demo_bot"
    )
    asyncio.run(_prepare(settings))
    with serve_in_thread(create_app(settings, background=False)) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/admin/login")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/admin")


def chat_say(page: Any, text: str) -> None:
    with page.expect_response(lambda r: r.url.endswith("/chat/messages")):
        page.locator("#text").fill(text)
        page.locator("#text").press("Enter")


def test_lead_runs_a_programme_end_to_end(server: str, browser: Any) -> None:
    """Sign in, prepare a programme, answer in the web chat, see it counted, review, poster."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server}/admin/login")
    shot(page, "01-login")
    sign_in(page, server)
    shot(page, "02-programmes-empty")

    page.get_by_role("link", name="Prepare a new programme").click()
    page.get_by_label("Name", exact=True).fill("Park Lane day centre")
    page.get_by_label("Code", exact=True).fill("PARK")
    page.get_by_label("Purpose", exact=True).fill(
        "We are using Working Together for Change to hear what matters to people at Park "
        "Lane, so that we can change what is not working."
    )
    page.get_by_label("Level", exact=True).select_option("provider")
    page.get_by_label("Target sample (number of people)").fill("20")
    page.get_by_label("Segment 1 name").fill("Day services")
    page.get_by_label("Segment 1 target").fill("12")
    page.get_by_label("Segment 2 name").fill("Homecare")
    page.get_by_label("Segment 2 target").fill("8")
    page.get_by_label("Collecting: people can take part now.").check()
    shot(page, "03-prepare-programme")
    page.get_by_role("button", name="Create the programme").click()
    page.wait_for_url(f"{server}/admin/programmes/PARK?done=created")
    shot(page, "04-progress-empty")

    chat = context.new_page()
    with chat.expect_response(lambda r: r.url.endswith("/chat/messages")):
        chat.goto(f"{server}/chat?code=PARK")
    for text in (
        "YES",
        "1",
        "1",
        "My carer Sarah helps me with my dietary intake",
        "DONE",
        "The bus is always late",
        "DONE",
        "To see my friends more",
        "DONE",
        "YES",
    ):
        chat_say(chat, text)
    shot(chat, "05-web-chat")
    assert "Thank you for taking part" in chat.locator("#messages").inner_text()

    page.reload()
    assert page.locator("#count-completed").inner_text() == "1"
    assert page.locator("#count-started").inner_text() == "1"
    shot(page, "06-progress-one-person")

    page.get_by_role("link", name="Quality check").click()
    card = page.locator("li.card", has_text="dietary intake")
    assert card.locator(".flag", has_text="Professional language").count() == 1
    assert card.locator(".flag", has_text="Possible name").count() == 1
    shot(page, "07-quality")
    card.get_by_text("Change the words on the card").click()
    card.get_by_label("Words for the card").fill("My carer helps me with my meals")
    card.get_by_role("button", name="Save the card text").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().startswith("The card text has been changed")
    edited = page.locator("li.card", has_text="My carer helps me with my meals")
    assert "Their own words" in edited.inner_text()
    shot(page, "08-quality-edited")

    page.get_by_role("link", name="Help people take part").click()
    shot(page, "09-help")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the poster (PDF)").click()
    poster = Path(download.value.path()).read_bytes()
    assert poster.startswith(b"%PDF")
    (ARTIFACTS / "poster-PARK.pdf").write_bytes(poster)

    page.goto(f"{server}/admin/programmes/PARK/assisted")
    shot(page, "10-assisted-entry")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/admin/programmes/PARK")
    shot(page, "11-progress-phone")
    page.goto(f"{server}/admin/programmes/PARK/quality?show=all")
    shot(page, "12-quality-phone")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


ADMIN_PAGES = (
    "/admin",
    "/admin/programmes/new",
    "/admin/programmes/PARK",
    "/admin/programmes/PARK/edit",
    "/admin/programmes/PARK/quality?show=all",
    "/admin/programmes/PARK/words/en",
    "/admin/programmes/PARK/help",
    "/admin/programmes/PARK/assisted",
    "/admin/programmes/PARK/export",
    "/admin/participants",
    "/admin/users",
    "/admin/audit",
    "/admin/account",
    "/admin/programmes/NOPE",
)


AXE_REPORT: dict[str, list[dict[str, Any]]] = {}


def _serious(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    AXE_REPORT[page.url] = [
        {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
        for v in result["violations"]
    ]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.skipif(not AXE.exists(), reason="run scripts/install-tools for axe-core")
def test_every_page_passes_axe(server: str, browser: Any) -> None:
    """No serious or critical axe-core violations on any admin page or the web chat."""
    # axe is injected as an inline script, which the pages' CSP rightly forbids.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    page.goto(f"{server}/admin/login")
    problems["/admin/login"] = _serious(page)
    sign_in(page, server)
    for path in ADMIN_PAGES:
        page.goto(f"{server}{path}")
        problems[path] = _serious(page)
    reference = page.evaluate(
        "async () => (await (await fetch('/admin/programmes/PARK/progress.json')).json())"
    )
    assert reference["progress"]["code"] == "PARK"
    for path in ("/chat?code=PARK", "/chat?code=PARK&kiosk=1", "/chat"):
        page.goto(f"{server}{path}")
        page.wait_for_timeout(300)
        problems[path] = _serious(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe-report.json").write_text(json.dumps(AXE_REPORT, indent=1))
    found = {path: issues for path, issues in problems.items() if issues}
    assert not found, found
    context.close()
