"""The workshop API: piles, placements, suggestions, undo, merge and split, access, 4xx."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from admin.services.masking import mask
from collection.models import AuditEntry
from collection.runtime import Services
from tests.support.admin import bearer, client, new_token, signed_in
from tests.support.workshop import API, lead_token, lexical_client, sample_rows, seed_sample

BASE = API.format(code="PARK")


async def _cards(api: httpx.AsyncClient, token: str, category: str) -> list[dict[str, object]]:
    answer = await api.get(f"{BASE}/cards", params={"category": category}, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    cards: list[dict[str, object]] = answer.json()
    return cards


async def test_the_cards_are_the_exports_picks_with_its_references(services: Services) -> None:
    """Every themed sample statement is a card, referenced W-01.., N-01.., F-01.. as printed."""
    await seed_sample(services)
    token = await lead_token(services)
    async with client(services) as api:
        working = await _cards(api, token, "working")
        everything = (await api.get(f"{BASE}/cards", headers=bearer(token))).json()
        printed = await api.get("/api/v1/programmes/PARK/exports/csv", headers=bearer(token))
    rows = printed.content.decode("utf-8-sig").strip().splitlines()[1:]
    assert [c["reference"] for c in everything] == [r.split(",")[0] for r in rows]
    assert [c["reference"] for c in working][:3] == ["W-01", "W-02", "W-03"]
    texts = {mask(r["text"]) for r in sample_rows() if r["category"] == "working"}
    assert {c["text"] for c in working} <= texts  # as printed: personal details masked


async def test_a_pile_started_from_the_card_on_screen_takes_it_and_moves_on(
    services: Services,
) -> None:
    """POST piles with a reference puts that card on the new pile and shows the next card."""
    await seed_sample(services)
    token = await lead_token(services)
    async with client(services) as api:
        state = (await api.get(f"{BASE}/state", headers=bearer(token))).json()
        assert state["category"] == "working" and state["current"]["reference"] == "W-01"
        made = await api.post(
            f"{BASE}/piles",
            json={"category": "working", "name": "Getting out and about", "reference": "W-01"},
            headers=bearer(token),
        )
        assert made.status_code == 201, made.text
        pile = made.json()
        assert pile["count"] == 1 and pile["cards"][0]["reference"] == "W-01"
        state = (await api.get(f"{BASE}/state", headers=bearer(token))).json()
        listed = (await api.get(f"{BASE}/piles", headers=bearer(token))).json()
    assert state["current"]["reference"] == "W-02" and state["called"] == 1
    assert [p["name"] for p in listed] == ["Getting out and about"]


async def test_place_park_and_undo(services: Services) -> None:
    """A card goes on a pile, another is parked; undo takes the park back and shows that card."""
    await seed_sample(services)
    token = await lead_token(services)
    async with client(services) as api:
        pile = (
            await api.post(
                f"{BASE}/piles",
                json={"category": "working", "name": "I get out"},
                headers=bearer(token),
            )
        ).json()
        placed = await api.put(
            f"{BASE}/cards/W-01", json={"pile_id": pile["id"]}, headers=bearer(token)
        )
        parked = await api.put(f"{BASE}/cards/w-02", json={"parked": True}, headers=bearer(token))
        assert placed.json()["pile_id"] == pile["id"] and parked.json()["parked"] is True
        state = (await api.get(f"{BASE}/state", headers=bearer(token))).json()
        assert state["current"]["reference"] == "W-03"
        assert [c["reference"] for c in state["parked"]] == ["W-02"]
        undone = await api.post(f"{BASE}/undo", headers=bearer(token))
        assert undone.status_code == 200, undone.text
        assert undone.json()["current"]["reference"] == "W-02" and undone.json()["parked"] == []
        await api.post(f"{BASE}/undo", headers=bearer(token))  # W-01 off the pile
        await api.post(f"{BASE}/undo", headers=bearer(token))  # the pile itself
        listed = (await api.get(f"{BASE}/piles", headers=bearer(token))).json()
        nothing = await api.post(f"{BASE}/undo", headers=bearer(token))
    assert listed == []
    assert nothing.status_code == 409


async def test_suggestions_rank_the_pile_with_like_cards_first(services: Services) -> None:
    """A card about going out is suggested the 'out and about' pile before the 'home' pile."""
    await seed_sample(services)
    token = await lead_token(services)
    async with lexical_client(services) as api:
        cards = await _cards(api, token, "working")
        by_text = {c["text"]: c["reference"] for c in cards}
        out = (
            await api.post(
                f"{BASE}/piles",
                json={
                    "category": "working",
                    "name": "Getting out and about",
                    "reference": by_text["Going out shopping and to the hairdressers"],
                },
                headers=bearer(token),
            )
        ).json()
        home = (
            await api.post(
                f"{BASE}/piles",
                json={
                    "category": "working",
                    "name": "My home",
                    "reference": by_text["I have my own key to my flat"],
                },
                headers=bearer(token),
            )
        ).json()
        reference = by_text["Going to the pub for coffee and chocolate cake on a Friday"]
        answer = await api.get(f"{BASE}/cards/{reference}/suggestions", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    assert answer.json()["scorer"].startswith("lexical")
    ranked = answer.json()["suggestions"]
    assert [s["pile_id"] for s in ranked] == [out["id"], home["id"]]
    assert ranked[0]["score"] > ranked[1]["score"]


async def test_rename_merge_and_split_are_undoable_and_audited(services: Services) -> None:
    """Renaming, merging and splitting change the wall; undo reverses each; all are audited."""
    await seed_sample(services)
    token = await lead_token(services)
    async with client(services) as api:
        first = (
            await api.post(
                f"{BASE}/piles",
                json={"category": "working", "name": "Out", "reference": "W-01"},
                headers=bearer(token),
            )
        ).json()
        second = (
            await api.post(
                f"{BASE}/piles",
                json={"category": "working", "name": "About", "reference": "W-02"},
                headers=bearer(token),
            )
        ).json()
        renamed = await api.patch(
            f"{BASE}/piles/{first['id']}",
            json={"name": "I get out and about"},
            headers=bearer(token),
        )
        assert renamed.json()["name"] == "I get out and about"
        merged = await api.post(
            f"{BASE}/piles/{second['id']}/merge", json={"into": first["id"]}, headers=bearer(token)
        )
        assert merged.json()["count"] == 2
        split = await api.post(
            f"{BASE}/piles/{first['id']}/split",
            json={"references": ["W-02"], "name": "I go far"},
            headers=bearer(token),
        )
        assert split.status_code == 201 and split.json()["count"] == 1
        names = [p["name"] for p in (await api.get(f"{BASE}/piles", headers=bearer(token))).json()]
        assert names == ["I get out and about", "I go far"]
        await api.post(f"{BASE}/undo", headers=bearer(token))  # the split
        await api.post(f"{BASE}/undo", headers=bearer(token))  # the merge
        after = (await api.get(f"{BASE}/piles", headers=bearer(token))).json()
    assert [(p["name"], p["count"]) for p in after] == [("I get out and about", 1), ("About", 1)]
    async with services.sessions() as session:
        actions = (
            (
                await session.execute(
                    select(AuditEntry.action).where(AuditEntry.action.startswith("workshop."))
                )
            )
            .scalars()
            .all()
        )
    assert {
        "workshop.pile.create",
        "workshop.pile.edit",
        "workshop.pile.merge",
        "workshop.pile.split",
        "workshop.undo",
    } <= set(actions)


async def test_bad_requests_get_a_clear_4xx(services: Services) -> None:
    """Unknown card or pile, wrong category, both pile and park, empty name: 4xx, never 500."""
    await seed_sample(services)
    token = await lead_token(services)
    async with client(services) as api:
        pile = (
            await api.post(
                f"{BASE}/piles",
                json={"category": "future", "name": "I want a job"},
                headers=bearer(token),
            )
        ).json()
        answers = [
            await api.put(f"{BASE}/cards/W-99", json={"parked": True}, headers=bearer(token)),
            await api.put(
                f"{BASE}/cards/W-01", json={"pile_id": pile["id"]}, headers=bearer(token)
            ),
            await api.put(f"{BASE}/cards/W-01", json={"pile_id": 999999}, headers=bearer(token)),
            await api.put(
                f"{BASE}/cards/F-01",
                json={"pile_id": pile["id"], "parked": True},
                headers=bearer(token),
            ),
            await api.post(
                f"{BASE}/piles", json={"category": "working", "name": "   "}, headers=bearer(token)
            ),
            await api.post(
                f"{BASE}/piles", json={"category": "later", "name": "x"}, headers=bearer(token)
            ),
            await api.post(
                f"{BASE}/piles/{pile['id']}/merge", json={"into": pile["id"]}, headers=bearer(token)
            ),
            await api.patch(
                f"{BASE}/piles/{pile['id']}", json={"carried_forward": True}, headers=bearer(token)
            ),
            await api.get(f"{BASE}/cards/%00/suggestions", headers=bearer(token)),
        ]
    assert [a.status_code for a in answers] == [404, 422, 404, 422, 422, 422, 422, 422, 404]


async def test_only_leads_of_the_programme_and_admins(services: Services) -> None:
    """Staff are refused (403), another programme's lead sees nothing (404), no token is 401."""
    await seed_sample(services)
    await seed_sample(services, "OTHER")
    async with signed_in(services, "staff@example.org", "staff") as http:
        staff = await new_token(http)
    other_lead = await lead_token(services, "OTHER")
    async with client(services) as api:
        assert (await api.get(f"{BASE}/piles", headers=bearer(staff))).status_code == 403
        assert (await api.get(f"{BASE}/piles", headers=bearer(other_lead))).status_code == 404
        assert (await api.get(f"{BASE}/piles")).status_code == 401


async def test_the_screens_session_needs_the_csrf_header_to_change_things(
    services: Services,
) -> None:
    """A signed-in browser reads with its cookie; a change without X-CSRF-Token is refused."""
    await seed_sample(services)
    async with signed_in(services, "admin@example.org", "admin") as http:
        assert (await http.get(f"{BASE}/piles")).status_code == 200
        refused = await http.post(f"{BASE}/piles", json={"category": "working", "name": "I"})
    assert refused.status_code == 403


async def test_the_paths_are_in_the_openapi_document(services: Services) -> None:
    """The pinned workshop paths are described, with response models."""
    async with client(services) as api:
        paths = (await api.get("/openapi.json")).json()["paths"]
    piles = paths["/api/v1/programmes/{code}/workshop/piles"]
    assert {"get", "post"} <= set(piles)
    assert "put" in paths["/api/v1/programmes/{code}/workshop/cards/{reference}"]
    suggestions = paths["/api/v1/programmes/{code}/workshop/cards/{reference}/suggestions"]
    schema = suggestions["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("SuggestionsRead")
