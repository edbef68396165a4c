"""The quality check in a real browser: flags with their reasons, masking, the split form.

Screenshots go to test-artifacts/quality/ for a person to look at (with a cards
PDF page rendered by pdftoppm); axe-core checks the changed pages.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from admin.services.users import create_user
from collection.assisted import AssistedAnswers, record_assisted
from collection.migrate import upgrade
from collection.programmes import create_programme
from collection.settings import Settings
from tests.conftest import TEST_SECRET
from tests.support.browser import ARGS, CHROMIUM, serve_in_thread
from wtfc.app import build_services, create_app

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "quality"
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
EMAIL, PASSWORD = "lead@example.org", "a browser test password"
STATEMENTS = {
    "working": [
        "the staff are kind but the dinners are cold and I would love a swim",
        "My carer Sarah rings me on 07911 123456 when the bus is late",
        "I use my personal budget to pay for the gym",
    ],
    "not_working": [
        "The service user requires more social inclusion activities",
        "Provision of transport to the day centre is inconsistent",
    ],
    "future": ["I want to move into my own flat at 12 Elm Road"],
}

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


async def _prepare(settings: Settings) -> None:
    services = build_services(settings)
    try:
        async with services.sessions() as session, session.begin():
            await create_user(session=session, email=EMAIL, password=PASSWORD, role="admin")
            programme = await create_programme(
                session=session, code="PARK", name="Park Lane day services", purpose="Listening"
            )
            await record_assisted(
                session=session,
                programme=programme,
                answers=AssistedAnswers(
                    statements=STATEMENTS, picks={"working": [1, 2]}, perspective="person"
                ),
                assisted_by="staff@example.org",
                now=datetime.now(UTC),
            )
    finally:
        await services.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('quality') / 'wtfc.db'}"
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


def _sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/admin/login")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/admin")


def _serious(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.skipif(not AXE.exists(), reason="run scripts/install-tools for axe-core")
def test_quality_pages_show_flags_and_pass_axe(server: str, browser: Any) -> None:
    """Reasons, masking and the split form are on the page; no serious axe problems."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    _sign_in(page, server)
    problems: dict[str, list[str]] = {}
    page.goto(f"{server}/admin/programmes/PARK/quality")
    body = page.locator("main").inner_text()
    assert "Why it sounds professional" in body and "service user" in body
    assert "Several ideas on one card" in body
    assert "My carer [name] rings me on [phone number] when the bus is late" in body
    assert "I use my personal budget" not in body  # own voice: no flag, not listed
    page.screenshot(path=str(ARTIFACTS / "quality-flags.png"), full_page=True)
    problems["quality"] = _serious(page)
    page.goto(f"{server}/admin/programmes/PARK/quality?show=several")
    assert page.locator("textarea[name=part]").first.input_value() == "The staff are kind"
    page.locator(".split-form").first.screenshot(path=str(ARTIFACTS / "split-form.png"))
    problems["split form"] = _serious(page)
    page.get_by_label("Part 2").first.fill("The dinners are cold by the time they reach me")
    page.get_by_label("Part 2", exact=True).nth(1).check()  # the pick goes to part 2
    page.get_by_role("button", name="Split the statement").first.click()
    page.goto(f"{server}/admin/programmes/PARK/quality?show=split")
    assert "Split into 3 parts" in page.locator("main").inner_text()
    page.screenshot(path=str(ARTIFACTS / "quality-split.png"), full_page=True)
    problems["split view"] = _serious(page)
    for path in ("/admin/programmes/PARK/words/en", "/admin/programmes/PARK/export"):
        page.goto(f"{server}{path}")
        problems[path] = _serious(page)
    assert "Personal details are masked in 2 statements" in page.locator("main").inner_text()
    page.screenshot(path=str(ARTIFACTS / "export-preview.png"), full_page=True)
    pdf = context.request.get(f"{server}/admin/programmes/PARK/export/file?format=cards")
    (ARTIFACTS / "cards.pdf").write_bytes(pdf.body())
    for number in (1, 2):
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "60",
                "-png",
                "-singlefile",
                "-f",
                str(number),
                "-l",
                str(number),
                str(ARTIFACTS / "cards.pdf"),
                str(ARTIFACTS / f"cards-page{number}"),
            ],
            check=True,
        )
    context.close()
    found = {name: issues for name, issues in problems.items() if issues}
    assert not found, found
