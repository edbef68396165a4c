"""The kiosk web chat in a real browser (Debian's Chromium via Playwright) against a real server.

What a person at the drop-in centre does: read the welcome, tap Yes, type answers, pick
two, confirm; old buttons grey out once answered; "Next person" clears the screen and
starts a fresh conversation.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET
from tests.support.app_server import AppServer
from tests.support.browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "webchat"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = {
        "WTFC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'kiosk.db'}",
        "WTFC_SECRET_KEY": TEST_SECRET,
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "wtfc.cli",
            "programme",
            "create",
            "--name",
            "Park Lane day centre",
            "--code",
            "PARK",
            "--purpose",
            "We want to hear what matters to you.",
        ],
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    app = AppServer(env, log=tmp_path / "server.log")
    app.start()
    yield app.base_url
    app.stop()


def test_a_person_completes_the_kiosk_conversation(server: str) -> None:
    """Tap and type through the whole conversation; then the next person starts fresh."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 800, "height": 1000})
        page.goto(server + "/chat?code=PARK&kiosk=1")
        page.get_by_text("Reply YES to take part").wait_for()
        first_yes = page.get_by_role("button", name="Yes").first
        first_yes.click()
        page.get_by_text("Are you answering").wait_for()
        assert first_yes.is_disabled()  # the welcome's buttons are retired once answered
        page.get_by_role("button", name="For myself").click()
        box = page.get_by_label("Type your answer here")
        for count, text in enumerate(("Going out with my sister", "My own key", "Cooking tea"), 1):
            box.fill(text)
            box.press("Enter")
            page.get_by_text(f"That's {count} so far").wait_for()
        page.get_by_role("button", name="Done").last.click()
        page.get_by_text("Which TWO matter most to you?").wait_for()
        box.fill("1 3")
        box.press("Enter")
        for question in ("What is not working well", "What is important to you"):
            page.get_by_text(question).last.wait_for()
            page.get_by_role("button", name="Skip").last.click()
        page.get_by_text("Here is what matters most to you").wait_for()
        page.get_by_role("button", name="Yes").last.click()
        page.get_by_text("Thank you for taking part").wait_for()
        page.screenshot(path=str(ARTIFACTS / "kiosk-finished.png"))
        assert page.get_by_role("button", name="Yes").first.is_disabled()
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Next person").click()
        page.get_by_text("Reply YES to take part").wait_for()
        assert page.get_by_text("Thank you for taking part").count() == 0
        browser.close()


def test_a_kiosk_left_alone_starts_over_for_the_next_person(server: str) -> None:
    """After the idle time the screen clears; an untouched welcome does not churn."""
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto(server + "/chat?code=PARK&kiosk=1&idle=10")
        page.get_by_text("Reply YES to take part").wait_for()
        page.evaluate("window.stillTheSamePage = true")  # a reload would forget this
        page.wait_for_timeout(11_000)  # nobody has written: the welcome stays
        assert page.evaluate("window.stillTheSamePage === true")
        page.get_by_role("button", name="Yes").first.click()
        page.get_by_text("Are you answering").wait_for()
        page.wait_for_timeout(11_000)
        page.get_by_text("Reply YES to take part").wait_for()
        assert page.get_by_text("Are you answering").count() == 0
        browser.close()


def test_past_the_new_conversation_limit_the_page_asks_kindly_to_wait(tmp_path: Path) -> None:
    """A second visitor from the same address (limit 1) reads a kind "please wait";
    the admin's kiosk link (with its key) still starts a conversation."""
    from collection.kiosk import kiosk_key

    env = {
        "WTFC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}",
        "WTFC_SECRET_KEY": TEST_SECRET,
        "WTFC_FLOOD_NEW_PER_ADDRESS_PER_HOUR": "1",
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "wtfc.cli",
            "programme",
            "create",
            "--name",
            "Park",
            "--code",
            "PARK",
        ],
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    app = AppServer(env, log=tmp_path / "server.log")
    app.start()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            first = browser.new_page()
            first.goto(app.base_url + "/chat?code=PARK")
            first.get_by_text("Reply YES to take part").wait_for()
            second = browser.new_page(viewport={"width": 800, "height": 600})
            second.goto(app.base_url + "/chat?code=PARK")
            second.get_by_text("Please wait a few minutes, then try again.").wait_for()
            second.screenshot(path=str(ARTIFACTS / "busy.png"))
            second.reload()  # still refused: the refused start was forgotten, so it retries
            second.get_by_text("Please wait a few minutes, then try again.").wait_for()
            kiosk = browser.new_page()
            key = kiosk_key(TEST_SECRET, "PARK")
            kiosk.goto(app.base_url + f"/chat?code=PARK&kiosk=1&key={key}")
            kiosk.get_by_text("Reply YES to take part").wait_for()
            browser.close()
    finally:
        app.stop()
