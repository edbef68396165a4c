"""The whole card call of the sample statements on the screens, in a real browser.

Chromium (Debian's, via Playwright) against a real server: the facilitator runs
the card call with the keyboard (a pile's number, Enter for the first
suggestion, N for a new pile, P to park, Backspace and the arrow keys, U to
undo) while the wall follows on a second page; then phones vote by the QR page.
Screenshots go to test-artifacts/workshop/ for a person to look at; axe-core
must find no violations at all on any workshop screen.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from admin.services.masking import mask
from admin.services.users import create_user
from collection.assisted import AssistedAnswers, record_assisted
from collection.migrate import upgrade
from collection.models import Programme
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.conftest import TEST_SECRET
from tests.support.browser import ARGS, CHROMIUM, serve_in_thread
from tests.support.workshop import sample_rows
from wtfc.app import build_services, create_app

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "workshop"
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
EMAIL, PASSWORD = "lead@example.org", "a browser test password"
THEME_OF = {mask(row["text"]): row["theme"] for row in sample_rows()}
"""The true theme of each card as the screen shows it (personal details masked, as printed)."""

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


async def _prepare(settings: Settings) -> None:
    from datetime import UTC, datetime

    services: Services = build_services(settings)
    try:
        async with services.sessions() as session, session.begin():
            await create_user(session=session, email=EMAIL, password=PASSWORD, role="admin")
            programme = await create_programme(
                session=session, name="Park Centre", code="PARK", purpose="We listen."
            )
        for row in sample_rows():
            async with services.sessions() as session, session.begin():
                fresh = await session.get(Programme, programme.id)
                assert fresh is not None
                await record_assisted(
                    session=session,
                    programme=fresh,
                    answers=AssistedAnswers(
                        statements={row["category"]: [row["text"]]},
                        perspective=row["perspective"] or None,
                    ),
                    assisted_by="staff@example.org",
                    now=datetime.now(UTC),
                )
    finally:
        await services.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('workshop') / 'wtfc.db'}"
    upgrade(url)
    # Suggestions by words, as on CI (the embedding extra is tested in tests_ml).
    settings = Settings(
        WTFC_DATABASE_URL=url, WTFC_SECRET_KEY=TEST_SECRET, WTFC_WORKSHOP_SUGGESTIONS="lexical"
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
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


AXE_REPORT: dict[str, list[dict[str, Any]]] = {}


def violations(page: Any) -> list[str]:
    """Every axe-core violation on the page, whatever its impact."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    AXE_REPORT[page.url] = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in result["violations"]]


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/admin/login")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/admin")


def _shown(page: Any) -> str:
    """What the screen shows now: the card's reference, or that the category is done."""
    if page.locator("#call-done").is_visible():
        return "done"
    return str(page.locator("#card-ref").inner_text())


def _press_and_wait(page: Any, keys: list[str], before: str) -> str:
    for key in keys:
        page.keyboard.press(key)
    try:
        _wait_change(page, before)
    except Exception:
        shot(page, "failed")
        state = page.evaluate(
            "() => [document.activeElement.tagName, document.activeElement.id,"
            " document.getElementById('call').dataset.busy, (window.__log || []).slice(-12)]"
        )
        raise AssertionError(f"no change after {keys} on {before}: focus/busy {state}") from None
    page.wait_for_selector("#call[data-busy='0']")  # the new card's piles and suggestions
    return _shown(page)


def _wait_change(page: Any, before: str) -> None:
    page.wait_for_function(
        """(before) => {
             const done = !document.getElementById('call-done').hidden;
             const ref = document.getElementById('card-ref').textContent;
             const idle = document.getElementById('call').dataset.busy === '0';
             return idle && (done ? 'done' : ref) !== before;
           }""",
        arg=before,
    )


def _piles(page: Any) -> dict[str, dict[str, Any]]:
    """The pile buttons on the call screen: name -> number and whether suggested first."""
    found = {}
    for button in page.locator("#piles button").all():
        found[button.get_attribute("data-name")] = {
            "number": int(button.get_attribute("data-number")),
            "first": button.get_attribute("data-rank") == "1",
        }
    return found


def _call_category(page: Any, counts: dict[str, int]) -> None:
    """Place every card of the current category on its true theme, by keyboard."""
    shown = _shown(page)
    while shown != "done":
        text = page.locator("#card-text").inner_text()
        theme = THEME_OF[text]
        piles = _piles(page)
        if theme not in piles:
            page.keyboard.press("n")
            page.locator("#new-pile-name").fill(theme)
            shown = _press_and_wait(page, ["Enter"], shown)
            counts["new"] += 1
        elif piles[theme]["first"]:
            shown = _press_and_wait(page, ["Enter"], shown)
            counts["suggested"] += 1
        else:
            shown = _press_and_wait(page, list(str(piles[theme]["number"])), shown)
            counts["typed"] += 1


@pytest.mark.skipif(not AXE.exists(), reason="run scripts/install-tools for axe-core")
def test_a_whole_card_call_then_votes_from_phones(server: str, browser: Any) -> None:
    """Working, not working, future: every card placed by keyboard, the wall following."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    call = context.new_page()
    call.add_init_script(
        "window.__log = [];"
        "window.addEventListener('keydown', e => window.__log.push('key ' + e.key + ' '"
        " + (e.target.tagName || '')), true);"
        "const f = window.fetch; window.fetch = (u, o) => { window.__log.push("
        "((o && o.method) || 'GET') + ' ' + u); return f(u, o); };"
    )
    errors: list[str] = []
    call.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(call, server)
    call.goto(f"{server}/admin/programmes/PARK/workshop")
    problems = {"overview": violations(call)}
    wall = context.new_page()
    wall.on("pageerror", lambda error: errors.append(str(error)))
    wall.goto(f"{server}/admin/programmes/PARK/workshop/wall")
    call.goto(f"{server}/admin/programmes/PARK/workshop/call")
    call.wait_for_selector("#call[data-busy='0']")
    assert _shown(call) == "W-01"
    shot(call, "01-call-first-card")
    problems["call"] = violations(call)

    # Park the first card, go back to it, undo the park: the card call is where it was.
    shown = _press_and_wait(call, ["p"], "W-01")
    assert shown == "W-02"
    shown = _press_and_wait(call, ["u"], shown)
    assert shown == "W-01"
    # Right skips to the next card, Backspace goes back to the one before.
    assert _press_and_wait(call, ["ArrowRight"], shown) == "W-02"
    assert _press_and_wait(call, ["Backspace"], "W-02") == "W-01"
    counts = {"new": 0, "suggested": 0, "typed": 0}
    _call_category(call, counts)
    assert counts["new"] == len({r["theme"] for r in sample_rows() if r["category"] == "working"})
    wall.wait_for_function("document.querySelectorAll('.wall-pile').length === 7")
    shot(wall, "02-wall-working")
    problems["wall"] = violations(wall)
    call.get_by_role("button", name="Not working well").click()
    call.wait_for_function("document.getElementById('card-ref').textContent.startsWith('N-01')")
    call.wait_for_selector("#call[data-busy='0']")
    _call_category(call, counts)
    call.get_by_role("button", name="Important for the future").click()
    call.wait_for_function("document.getElementById('card-ref').textContent.startsWith('F-01')")
    call.wait_for_selector("#call[data-busy='0']")
    shot(call, "03-call-future")
    _call_category(call, counts)
    assert not errors, errors
    assert counts["suggested"] > 0 and counts["typed"] >= 0

    # Every card is on its true theme: check through the API the screens use.
    piles = call.evaluate(
        "async () => (await (await fetch('/api/v1/programmes/PARK/workshop/piles')).json())"
    )
    placed = {(c["text"], p["name"]) for p in piles for c in p["cards"]}
    cards = {c["text"] for p in piles for c in p["cards"]}
    assert placed == {
        (mask(r["text"]), r["theme"]) for r in sample_rows() if mask(r["text"]) in cards
    }
    assert len(placed) >= len(sample_rows()) - 2  # the export may hold back a safeguarding case

    # Votes: open them, the wall shows the QR code on the not-working wall.
    call.get_by_role("button", name="Not working well").click()
    # Leave only once the switch is stored: navigating away would cancel its request.
    call.wait_for_selector(".cat[data-category='not_working'][aria-pressed='true']")
    call.wait_for_selector("#call[data-busy='0']")
    call.goto(f"{server}/admin/programmes/PARK/workshop/votes")
    call.get_by_role("button", name="Open voting").click()
    wall.wait_for_selector("#wall-vote:not([hidden])")
    shot(wall, "04-wall-not-working-voting")
    phone_context = browser.new_context(viewport={"width": 390, "height": 844})
    for choice in ([1, 2, 3], [1, 2, 4], [1, 5, 6]):
        phone = phone_context.new_page()
        phone_context.clear_cookies()
        phone.goto(f"{server}/vote/PARK")
        for number in choice:
            phone.locator(".choice").nth(number - 1).locator("input").check()
        if choice == [1, 2, 3]:
            shot(phone, "05-phone-ballot")
            phone_context_axe = browser.new_context(bypass_csp=True)
            axe_page = phone_context_axe.new_page()
            axe_page.goto(f"{server}/vote/PARK")
            problems["ballot"] = violations(axe_page)
            phone_context_axe.close()
        phone.get_by_role("button", name="Send my vote").click()
        phone.wait_for_selector(".thanks")
        phone.close()
    call.reload()
    problems["votes"] = violations(call)
    shot(call, "06-votes-page")
    rows = call.locator("tbody tr").all()
    first = rows[0].inner_text()
    assert first.startswith("1\t") and "\t3\t" in first  # pile 1 is on all three ballots
    wall.wait_for_function(
        "[...document.querySelectorAll('.votes')].some(v => v.textContent === '3 votes')"
    )
    shot(wall, "07-wall-votes")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe-report.json").write_text(json.dumps(AXE_REPORT, indent=1))
    assert {k: v for k, v in problems.items() if v} == {}
    phone_context.close()
    context.close()
