"""Votes from phones (the QR page, one ballot per device), closing, paper dots, carry forward."""

from __future__ import annotations

import httpx

from collection.runtime import Services
from tests.support.admin import bearer, client
from tests.support.workshop import API, lead_token, seed_sample

BASE = API.format(code="PARK")


async def _not_working_piles(api: httpx.AsyncClient, token: str, count: int) -> list[int]:
    ids = []
    for n in range(count):
        made = await api.post(
            f"{BASE}/piles",
            json={"category": "not_working", "name": f"I theme {n + 1}"},
            headers=bearer(token),
        )
        ids.append(made.json()["id"])
    return ids


async def test_a_phone_votes_once_and_can_change_its_vote(services: Services) -> None:
    """One device, two ballots: the second replaces the first; another device adds one."""
    await seed_sample(services)
    token = await lead_token(services)
    async with client(services) as api:
        ids = await _not_working_piles(api, token, 5)
        await api.put(f"{BASE}/voting", json={"open": True}, headers=bearer(token))
        page = await api.get("/vote/park")
        assert page.status_code == 200 and "I theme 5" in page.text
        first = await api.post("/vote/PARK", data={"pile": [ids[0], ids[1], ids[2]]})
        assert first.status_code == 303
        again = await api.post("/vote/PARK", data={"pile": [ids[0], ids[3], ids[4]]})
        assert again.status_code == 303
        thanks = await api.get("/vote/PARK?done=1")
        assert "your vote is saved" in thanks.text
    async with client(services) as phone:
        await phone.post("/vote/PARK", data={"pile": [ids[0], ids[1], ids[2]]})
    async with client(services) as api:
        result = (await api.get(f"{BASE}/votes", headers=bearer(token))).json()
    assert result["ballots"] == 2
    votes = {r["pile_id"]: r["votes"] for r in result["results"]}
    assert votes == {ids[0]: 2, ids[1]: 1, ids[2]: 1, ids[3]: 1, ids[4]: 1}
    assert result["results"][0]["pile_id"] == ids[0]


async def test_a_ballot_needs_three_different_themes(services: Services) -> None:
    """Two ticks, or a pile of another category, are refused with 422 and the reason."""
    await seed_sample(services)
    token = await lead_token(services)
    async with client(services) as api:
        ids = await _not_working_piles(api, token, 4)
        other = (
            await api.post(
                f"{BASE}/piles",
                json={"category": "working", "name": "I am happy"},
                headers=bearer(token),
            )
        ).json()["id"]
        await api.put(f"{BASE}/voting", json={"open": True}, headers=bearer(token))
        two = await api.post("/vote/PARK", data={"pile": [ids[0], ids[1]]})
        wrong = await api.post("/vote/PARK", data={"pile": [ids[0], ids[1], other]})
        junk = await api.post("/vote/PARK", data={"pile": ["x", "9" * 40]})
        result = (await api.get(f"{BASE}/votes", headers=bearer(token))).json()
    assert (two.status_code, wrong.status_code, junk.status_code) == (422, 422, 422)
    assert "Choose 3" in two.text
    assert result["ballots"] == 0


async def test_closed_voting_stores_nothing(services: Services) -> None:
    """Before opening and after closing, the page says voting is closed and a post is 409."""
    await seed_sample(services)
    token = await lead_token(services)
    async with client(services) as api:
        ids = await _not_working_piles(api, token, 3)
        closed_page = await api.get("/vote/PARK")
        refused = await api.post("/vote/PARK", data={"pile": ids})
        unknown = await api.get("/vote/NOPE")
    assert "Voting is closed" in closed_page.text
    assert refused.status_code == 409 and unknown.status_code == 404


async def test_paper_dots_add_to_votes_and_carry_forward_is_marked(services: Services) -> None:
    """Dots typed by the facilitator count in the total; carried forward is kept."""
    await seed_sample(services)
    token = await lead_token(services)
    async with client(services) as api:
        ids = await _not_working_piles(api, token, 3)
        await api.patch(
            f"{BASE}/piles/{ids[2]}",
            json={"dots": 7, "carried_forward": True},
            headers=bearer(token),
        )
        result = (await api.get(f"{BASE}/votes", headers=bearer(token))).json()
    top = result["results"][0]
    assert (top["pile_id"], top["dots"], top["total"], top["carried_forward"]) == (
        ids[2],
        7,
        7,
        True,
    )


async def test_the_ballot_follows_the_phones_language(services: Services) -> None:
    """A phone set to Welsh gets the ballot in Welsh (no login: its Accept-Language decides)."""
    await seed_sample(services)
    token = await lead_token(services)
    async with client(services) as api:
        await _not_working_piles(api, token, 3)
        await api.put(f"{BASE}/voting", json={"open": True}, headers=bearer(token))
        welsh = await api.get("/vote/PARK", headers={"Accept-Language": "cy-GB,cy;q=0.9"})
        english = await api.get("/vote/PARK", headers={"Accept-Language": "en-GB"})
    assert welsh.status_code == 200 and '<html lang="cy">' in welsh.text
    assert "Anfon fy mhleidlais" in welsh.text and "Send my vote" not in welsh.text
    assert "I theme 3" in welsh.text  # the facilitator's words stay as typed
    assert "Send my vote" in english.text
