"""The analysis (themes XLSX, report PDF) against a hand-counted workshop; paper == screen."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import delete

from collection.models import Programme
from collection.runtime import Services
from collection.workshop.models import WorkshopAction, WorkshopCard, WorkshopPile
from tests.fixtures.exports.pdfcheck import page_texts
from tests.support.admin import assisted, bearer, client, make_programme
from tests.support.workshop import API, lead_token, run_cli

BASE = API.format(code="PARK")
EXPORT = "/api/v1/programmes/PARK/exports/{fmt}"

PEOPLE: list[dict[str, Any]] = [
    {
        "perspective": "person",
        "segment": "homecare",
        "statements": {
            "working": ["The garden", "Lunch with friends", "My key worker"],
            "not_working": ["The bus is late", "Nobody listens"],
        },
        "picks": {"working": [1, 2]},
    },
    {
        "perspective": "carer",
        "segment": "homecare",
        "statements": {
            "working": ["Respite weekends"],
            "not_working": ["I never sleep", "The bus never comes"],
        },
    },
    {
        "perspective": "person",
        "segment": "day services",
        "statements": {
            "working": ["The garden club", "My friends at lunch"],
            "not_working": ["Staff do not listen", "Nobody asks me"],
        },
    },
    {
        "perspective": "person",
        "segment": "day services",
        "statements": {
            "not_working": ["Bus drivers are rude", "The bus is dirty"],
            "future": ["A job"],
        },
    },
]
THEMES: dict[str, str] = {
    "The garden": "I love the garden",
    "The garden club": "I love the garden",
    "Lunch with friends": "Time with friends",
    "My friends at lunch": "Time with friends",
    "Respite weekends": "parked",
    "The bus is late": "Getting around is hard",
    "The bus never comes": "Getting around is hard",
    "Bus drivers are rude": "Getting around is hard",
    "The bus is dirty": "Getting around is hard",
    "Nobody listens": "I am not listened to",
    "Staff do not listen": "I am not listened to",
    "Nobody asks me": "I am not listened to",
    "I never sleep": "I need a break",
    "A job": "I want a job",
}
"""Each card's pile, in the order a facilitator might meet them (piles numbered by first card)."""

HAND_COUNTED = {
    # (category, theme): cards, people, People, Carers and family, homecare, day services
    ("Working well", "I love the garden"): (2, 2, 2, 0, 1, 1),
    ("Working well", "Time with friends"): (2, 2, 2, 0, 1, 1),
    ("Not working well", "Getting around is hard"): (4, 3, 2, 1, 2, 1),
    ("Not working well", "I am not listened to"): (3, 2, 2, 0, 1, 1),
    ("Not working well", "I need a break"): (1, 1, 0, 1, 1, 0),
    ("Important for the future", "I want a job"): (1, 1, 1, 0, 0, 1),
}


async def _fixture(services: Services) -> Programme:
    programme = await make_programme(
        services, "PARK", segments=[{"name": "homecare"}, {"name": "day services"}]
    )
    for person in PEOPLE:
        await assisted(
            services,
            programme,
            person["statements"],
            picks=person.get("picks"),
            perspective=person["perspective"],
            segment=person["segment"],
        )
    return programme


async def _references(api: httpx.AsyncClient, token: str) -> dict[str, str]:
    cards = (await api.get(f"{BASE}/cards", headers=bearer(token))).json()
    return {c["text"]: c["reference"] for c in cards}


async def _on_screen(api: httpx.AsyncClient, token: str) -> None:
    """The piles made through the API, as the card-call screen makes them."""
    references = await _references(api, token)
    piles: dict[tuple[str, str], int] = {}
    for text, theme in THEMES.items():
        reference = references[text]
        if theme == "parked":
            await api.put(f"{BASE}/cards/{reference}", json={"parked": True}, headers=bearer(token))
            continue
        category = {"W": "working", "N": "not_working", "F": "future"}[reference[0]]
        key = (category, theme)
        if key in piles:
            answer = await api.put(
                f"{BASE}/cards/{reference}", json={"pile_id": piles[key]}, headers=bearer(token)
            )
        else:
            answer = await api.post(
                f"{BASE}/piles",
                json={"category": category, "name": theme, "reference": reference},
                headers=bearer(token),
            )
            piles[key] = answer.json()["id"]
        assert answer.status_code in (200, 201), answer.text


def _sheet(data: bytes, name: str) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [tuple(row) for row in workbook[name].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _themes_table(data: bytes) -> dict[tuple[str, str], tuple[int, ...]]:
    rows = _sheet(data, "Themes")
    header = list(rows[0])
    wanted = ["cards", "people", "people: People", "people: Carers and family",
              "segment: day services", "segment: homecare"]  # fmt: skip
    at = [header.index(w) for w in wanted]
    table = {}
    for row in rows[1:]:
        cards, people, ppl, carers, day, home = (row[i] for i in at)
        table[(row[0], row[2])] = (cards, people, ppl, carers, home, day)
    return table


async def test_themes_and_report_match_the_hand_counted_workshop(services: Services) -> None:
    """Every count in the XLSX equals the hand count; votes, dots, carried forward, parked too."""
    await _fixture(services)
    token = await lead_token(services)
    async with client(services) as api:
        await _on_screen(api, token)
        piles = (await api.get(f"{BASE}/piles?category=not_working", headers=bearer(token))).json()
        ids = {p["name"]: p["id"] for p in piles}
        await api.put(f"{BASE}/voting", json={"open": True}, headers=bearer(token))
        for _phone in range(3):
            async with client(services) as phone:
                answer = await phone.post("/vote/PARK", data={"pile": list(ids.values())})
                assert answer.status_code == 303
        await api.patch(
            f"{BASE}/piles/{ids['Getting around is hard']}",
            json={"dots": 4, "carried_forward": True},
            headers=bearer(token),
        )
        await api.patch(
            f"{BASE}/piles/{ids['I am not listened to']}",
            json={"carried_forward": True},
            headers=bearer(token),
        )
        themes = await api.get(EXPORT.format(fmt="themes"), headers=bearer(token))
        report = await api.get(EXPORT.format(fmt="report"), headers=bearer(token))
    assert themes.status_code == 200, themes.text
    assert _themes_table(themes.content) == HAND_COUNTED
    votes = _sheet(themes.content, "Votes")
    assert [(r[2], r[3], r[4], r[5], r[6]) for r in votes[1:]] == [
        ("Getting around is hard", 3, 4, 7, "yes"),
        ("I am not listened to", 3, 0, 3, "yes"),
        ("I need a break", 3, 0, 3, None),
    ]
    cards = _sheet(themes.content, "Cards")
    assert [r[3] for r in cards if r[2] == "(parked)"] == ["Respite weekends"]
    assert "My key worker" not in {r[3] for r in cards}
    assert report.headers["content-type"] == "application/pdf"
    text = "\n".join(page_texts(report.content))
    assert "Carried forward to the five whys" in text
    assert "4 cards · top-two picks of 3 people · People 2, Carers and family 1" in text
    assert "Parked cards" in text and "Respite weekends" in text


async def test_a_paper_import_gives_the_same_report_as_the_screen(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same piles typed from paper (`wtfc workshop import`) give the very same workbook."""
    programme = await _fixture(services)
    token = await lead_token(services)
    async with client(services) as api:
        await _on_screen(api, token)
        references = await _references(api, token)
        screen = (await api.get(EXPORT.format(fmt="themes"), headers=bearer(token))).content
    async with services.sessions() as session, session.begin():
        for table in (WorkshopAction, WorkshopCard, WorkshopPile):
            await session.execute(delete(table).where(table.programme_id == programme.id))
    paper = tmp_path / "paper.csv"
    lines = ["reference,theme"] + [f"{references[t]},{theme}" for t, theme in THEMES.items()]
    paper.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert await run_cli(services, monkeypatch, ["workshop", "import", "park", str(paper)]) == 0
    async with client(services) as api:
        imported = (await api.get(EXPORT.format(fmt="themes"), headers=bearer(token))).content
    for sheet in ("Themes", "Votes", "Cards"):
        assert _sheet(imported, sheet) == _sheet(screen, sheet), sheet


async def test_the_command_line_and_the_export_page_make_the_same_analysis(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`wtfc export --format themes|report` and the Export page's link and background job."""
    import asyncio

    from tests.support.admin import post_form, signed_in

    await _fixture(services)
    token = await lead_token(services)
    async with client(services) as api:
        await _on_screen(api, token)
        by_api = (await api.get(EXPORT.format(fmt="themes"), headers=bearer(token))).content
    out = tmp_path / "themes.xlsx"
    argv = ["export", "PARK", "--format", "themes", "--output", str(out)]
    assert await run_cli(services, monkeypatch, argv) == 0
    pdf = tmp_path / "report.pdf"
    argv = ["export", "PARK", "--format", "report", "--output", str(pdf)]
    assert await run_cli(services, monkeypatch, argv) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    async with signed_in(services, "admin@example.org", "admin") as http:
        link = await http.get("/admin/programmes/PARK/export/themes")
        page = "/admin/programmes/PARK/export"
        assert "Workshop report (PDF)" in (await http.get(page)).text
        job = await post_form(
            http, f"{page}/jobs.json", {"format": "report", "layout": "2x4"}, page
        )
        assert job.status_code == 202, job.text
        status = job.json()
        for _ in range(100):
            if status["status"] == "done":
                break
            await asyncio.sleep(0.1)
            status = (await http.get(status["status_url"])).json()
        made = await http.get(status["download_url"])
    assert link.headers["content-disposition"].endswith('filename="park-workshop-themes.xlsx"')
    for data in (out.read_bytes(), link.content):
        assert _themes_table(data) == _themes_table(by_api)
    assert made.content.startswith(b"%PDF")
