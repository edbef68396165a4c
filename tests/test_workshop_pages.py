"""The workshop's pages: who sees them, the piles page's forms, and no inline script."""

from __future__ import annotations

import re

import httpx

from collection.runtime import Services
from tests.support.admin import link_lead, post_form, signed_in
from tests.support.workshop import API, seed_sample

PAGES = ("", "/call", "/wall", "/votes", "/piles")
ROOT = "/admin/programmes/PARK/workshop"


async def _piles(http: httpx.AsyncClient) -> list[dict[str, object]]:
    piles: list[dict[str, object]] = (await http.get(API.format(code="PARK") + "/piles")).json()
    return piles


async def test_a_lead_sees_every_workshop_page_and_staff_none(services: Services) -> None:
    """Each page answers 200 for the programme's lead, with scripts only from files; staff 403."""
    await seed_sample(services)
    async with signed_in(services, "lead@example.org", "lead") as http:
        await link_lead(services, "PARK", "lead@example.org")
        for path in PAGES:
            page = await http.get(ROOT + path)
            assert page.status_code == 200, path
            assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), path
            assert "style=" not in page.text, path
    async with signed_in(services, "staff@example.org", "staff") as http:
        assert all([(await http.get(ROOT + p)).status_code == 403 for p in PAGES])


async def test_the_piles_page_renames_merges_splits_and_moves(services: Services) -> None:
    """Each form changes the board as the wall then shows it."""
    await seed_sample(services)
    async with signed_in(services, "admin@example.org", "admin") as http:
        page = ROOT + "/piles"
        api = API.format(code="PARK")
        token = {"X-CSRF-Token": ""}
        for name, reference in (("Out", "W-01"), ("About", "W-02")):
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', (await http.get(page)).text)
            assert csrf is not None
            token["X-CSRF-Token"] = csrf.group(1)
            made = await http.post(
                f"{api}/piles",
                json={"category": "working", "name": name, "reference": reference},
                headers=token,
            )
            assert made.status_code == 201
        first, second = (p["id"] for p in await _piles(http))
        await post_form(http, page, {"action": "rename", "pile": first, "name": "I go out"}, page)
        await post_form(http, page, {"action": "merge", "pile": second, "into": first}, page)
        assert [(p["name"], p["count"]) for p in await _piles(http)] == [("I go out", 2)]
        await post_form(
            http, page, {"action": "split", "pile": first, "card": ["W-02"], "name": "Far"}, page
        )
        third = (await _piles(http))[1]["id"]
        await post_form(http, page, {"action": "move", "card": "W-03", "to": third}, page)
        await post_form(http, page, {"action": "move", "card": "W-01", "to": "parked"}, page)
        wrong = await post_form(http, page, {"action": "move", "card": "N-01", "to": first}, page)
        shown = await http.get(wrong.headers["location"])
    piles = await _piles_after(services)
    assert piles == [("I go out", []), ("Far", ["W-02", "W-03"])]
    assert wrong.status_code == 303 and "error=" in wrong.headers["location"]
    assert "another category" in shown.text


async def _piles_after(services: Services) -> list[tuple[str, list[str]]]:
    async with signed_in(services, "second@example.org", "admin") as http:
        return [
            (str(p["name"]), sorted(c["reference"] for c in p["cards"]))  # type: ignore[attr-defined]
            for p in await _piles(http)
        ]
