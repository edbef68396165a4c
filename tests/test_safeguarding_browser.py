"""The safeguarding pages in a real browser: screenshots to look at, and axe-core.

Screenshots go to test-artifacts/safeguarding/ (Needs attention, a case with the
contact shown, the programme form's Safeguarding section, the web chat's help reply).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from admin.services.users import create_user
from collection.intake import InboundMessage
from collection.migrate import upgrade
from collection.models import SafeguardingCase
from collection.programmes import create_programme
from collection.safeguarding.cases import acknowledge, close
from collection.settings import Settings
from tests.conftest import TEST_SECRET
from tests.support.browser import ARGS, CHROMIUM, serve_in_thread
from wtfc.app import build_services, create_app

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "safeguarding"
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
EMAIL, PASSWORD = "lead@example.org", "a browser test password"
PHONE = "+447700900123"

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


async def _prepare(settings: Settings) -> None:
    """An admin, a programme with a contact, two disclosures: one open, one closed."""
    services = build_services(settings)
    try:
        async with services.sessions() as session, session.begin():
            await create_user(session=session, email=EMAIL, password=PASSWORD, role="admin")
            await create_programme(
                session=session,
                name="Park Lane day centre",
                code="PARK",
                safeguarding_contacts=[
                    {"name": "Sam Lead", "email": "sam@council.example", "phone": None}
                ],
                safeguarding_help="You can also call Park Lane on 01632 960000.",
            )
        for address, text in (
            (PHONE, "the man on the late shift slaps me"),
            ("+447700900456", "my brother keeps all my benefit money"),
        ):
            for said in ("PARK", "YES", "1", text):
                await services.intake.handle(
                    InboundMessage(channel="sms", address=address, text=said)
                )
        async with services.sessions() as session, session.begin():
            case = await session.get(SafeguardingCase, 2)
            assert case is not None
            now = datetime.now(UTC)
            acknowledge(case, by="sam@council.example", now=now)
            close(
                case,
                by="sam@council.example",
                outcome="Raised with adult social care, ref 4411",
                now=now,
            )
    finally:
        await services.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('safeguarding') / 'wtfc.db'}"
    upgrade(url)
    settings = Settings(WTFC_DATABASE_URL=url, WTFC_SECRET_KEY=TEST_SECRET)
    asyncio.run(_prepare(settings))
    with serve_in_thread(create_app(settings, background=False)) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _serious(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.skipif(not AXE.exists(), reason="run scripts/install-tools for axe-core")
def test_safeguarding_pages_look_right_and_pass_axe(server: str, browser: Any) -> None:
    """Needs attention, a case (contact shown), the form section: screenshots, no serious
    axe-core violations, and the contact appears only after the button."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{server}/admin/login")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server}/admin")
    problems: dict[str, list[str]] = {}

    nav = page.get_by_role("link", name="Needs attention 1 open")
    assert nav.is_visible()
    nav.click()
    page.wait_for_url(f"{server}/admin/safeguarding")
    _shot(page, "01-needs-attention")
    problems["list"] = _serious(page)

    page.get_by_role("link", name="Case 1").click()
    page.wait_for_url(f"{server}/admin/safeguarding/1")
    assert PHONE not in page.content()
    _shot(page, "02-case")
    problems["case"] = _serious(page)
    page.get_by_role("button", name="Show how to reach this person").click()
    page.wait_for_load_state()
    assert PHONE in page.content()
    _shot(page, "03-case-contact-shown")
    problems["case with contact"] = _serious(page)

    page.goto(f"{server}/admin/safeguarding/2")
    _shot(page, "04-case-closed")
    problems["closed case"] = _serious(page)

    page.goto(f"{server}/admin/programmes/PARK/edit")
    page.locator("#safeguarding").scroll_into_view_if_needed()
    page.locator("#safeguarding").screenshot(path=str(ARTIFACTS / "05-form-safeguarding.png"))
    problems["form"] = _serious(page)

    chat = context.new_page()
    with chat.expect_response(lambda r: r.url.endswith("/chat/messages")):
        chat.goto(f"{server}/chat?code=PARK")
    for text in ("YES", "1", "I wish I was dead"):
        with chat.expect_response(lambda r: r.url.endswith("/chat/messages")):
            chat.locator("#text").fill(text)
            chat.locator("#text").press("Enter")
    chat.wait_for_timeout(300)
    assert "116 123" in chat.content()
    _shot(chat, "06-web-chat-help")
    problems["chat"] = _serious(chat)
    found = {name: issues for name, issues in problems.items() if issues}
    assert not found, found
    context.close()
