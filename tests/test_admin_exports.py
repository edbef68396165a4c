"""The admin's export page: every format, picks or all, the preview, background jobs, audit.

Every test gets its own WTFC_EXPORT_DIR, so job folders can be inspected and
nothing is left in the shared temporary directory.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from admin.exports.cards import GRIDS
from admin.exports.choices import CHOICES, LAYOUTS
from admin.exports.formats import FORMATS
from admin.exports.ordering import order_for_card_call
from admin.exports.source import load_deck
from collection.models import AuditEntry, Programme
from collection.runtime import Services
from collection.settings import Settings
from tests.fixtures.exports.pdfcheck import page_texts
from tests.support.admin import assisted, csrf_of, link_lead, make_programme, signed_in

REFERENCE = re.compile(r"\b[WNF]-\d{2,}\b")
PEOPLE: list[dict[str, Any]] = [
    {
        "statements": {
            "working": ["The garden is lovely", "Lunch is hot", "My key worker listens"],
            "not_working": ["The bus is always late"],
            "future": ["To see my friends more"],
        },
        "picks": {"working": [1, 3]},
        "perspective": "person",
    },
    {
        "statements": {
            "working": ["Staff know my name"],
            "not_working": ["Forms are confusing", "Nobody rings back", "Too much waiting"],
            "future": ["A job in the garden"],
        },
        "picks": {"not_working": [2, 3]},
        "perspective": "carer",
    },
    {
        "statements": {
            "working": ["The music on Fridays"],
            "not_working": ["Cold rooms in winter"],
            "future": ["Trips to the sea", "Learning to cook"],
        },
        "perspective": "person",
    },
]
PICKS = 12
"""Top-two picks in PEOPLE (each person's two, or all when they gave two or fewer)."""
EVERYTHING = 14


async def _sample(services: Services, code: str = "PARK", **extra: Any) -> Programme:
    programme = await make_programme(services, code, **extra)
    for person in PEOPLE:
        await assisted(
            services,
            programme,
            person["statements"],
            picks=person.get("picks"),
            perspective=person["perspective"],
        )
    return programme


async def _audit(services: Services) -> list[AuditEntry]:
    async with services.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)
        return list((await session.execute(query)).scalars())


async def _start(
    http: httpx.AsyncClient, code: str, data: dict[str, str], page: str | None = None
) -> httpx.Response:
    token = csrf_of((await http.get(page or f"/admin/programmes/{code}/export")).text)
    return await http.post(
        f"/admin/programmes/{code}/export/jobs.json", data={**data, "csrf_token": token}
    )


async def _wait(http: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """Poll a job like export.js does, until it is no longer running."""
    for _ in range(600):
        answer = await http.get(url)
        assert answer.status_code == 200, answer.text
        job: dict[str, Any] = answer.json()
        if job["status"] != "running":
            return job
        await asyncio.sleep(0.05)
    raise AssertionError("the export job did not finish")


def test_the_page_offers_every_format_and_layout() -> None:
    """A format or card layout added to the writers shows up on the page (or this fails)."""
    assert set(CHOICES) == set(FORMATS)
    assert set(LAYOUTS) == set(GRIDS)


async def test_export_page_offers_every_format_and_previews(services: Services) -> None:
    """Cards in both sizes, strips, XLSX and CSV; picks or all; a preview of 8 cards."""
    await _sample(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        page = (await http.get("/admin/programmes/PARK/export")).text
        every = (await http.get("/admin/programmes/PARK/export?all=true")).text
    for fmt in ("cards", "strips", "xlsx", "csv"):
        assert f'name="format" value="{fmt}"' in page
    for layout in ("2x4", "1x2"):
        assert f'name="layout" value="{layout}"' in page
    assert 'name="all" value="false" checked' in page
    assert 'name="all" value="true" checked' in every
    assert page.count('class="preview-card') == 8
    assert f"{PICKS} statements (top-two picks)" in page
    assert f"{EVERYTHING} statements (every statement)" in every
    assert 'src="/admin/static/export.js"' in page
    assert "<script>" not in page and "style=" not in page  # the CSP allows neither


async def test_preview_shows_the_first_pdf_page_in_the_same_order(services: Services) -> None:
    """The preview's references, order and words are those of page 2 of the cards PDF."""
    programme = await _sample(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        page = (await http.get("/admin/programmes/PARK/export")).text
        pdf = await http.get("/admin/programmes/PARK/export/cards")
    shown = re.findall(r'data-reference="([^"]+)"', page)
    texts = re.findall(r'<p class="preview-text"[^>]*>([^<]+)</p>', page)
    first_page = page_texts(pdf.content)[1]
    assert len(shown) == 8
    assert REFERENCE.findall(first_page) == shown
    assert all(text in first_page for text in texts)
    assert shown[0] == "W-01" and shown[-1].startswith(("N-", "F-"))
    async with services.sessions() as session:
        fresh = await session.get(Programme, programme.id)
        assert fresh is not None
        deck = await load_deck(session=session, programme=fresh)
    assert [c.reference for c in order_for_card_call(deck)[:8]] == shown


async def test_preview_colours_follow_the_programme(services: Services) -> None:
    """The future cards take the programme's own colour, with ink that reads on it."""
    await _sample(services, future_colour="#ffe066")
    async with signed_in(services, "lead@example.org", "admin") as http:
        css = await http.get("/admin/programmes/PARK/export/colours.css")
    assert css.headers["content-type"].startswith("text/css")
    assert ".preview-card.card-future, .key-future { background: #ffe066; color: #000000; }" in (
        css.text
    )
    assert "background: #2e7d32; color: #ffffff" in css.text


@pytest.mark.parametrize(
    ("fmt", "media", "magic"),
    [
        ("cards", "application/pdf", b"%PDF"),
        ("strips", "application/pdf", b"%PDF"),
        ("xlsx", FORMATS["xlsx"].media_type, b"PK"),
        ("csv", "text/csv", b"\xef\xbb\xbfreference,category"),
    ],
)
async def test_every_format_downloads_without_javascript(
    services: Services, fmt: str, media: str, magic: bytes
) -> None:
    """The form's plain GET answers with the file itself, with its type and name."""
    await _sample(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        answer = await http.get(
            "/admin/programmes/PARK/export/file", params={"format": fmt, "all": "true"}
        )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(media)
    assert answer.content.startswith(magic)
    assert f'filename="park-{fmt}-all.' in answer.headers["content-disposition"]


async def test_picks_or_every_statement(services: Services) -> None:
    """Top-two picks by default; every statement with all=true; the CSV rows say so."""
    await _sample(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        picks = await http.get("/admin/programmes/PARK/export/csv")
        every = await http.get("/admin/programmes/PARK/export/csv?all=true")
    picked = list(csv.DictReader(io.StringIO(picks.content.decode("utf-8-sig"))))
    everything = list(csv.DictReader(io.StringIO(every.content.decode("utf-8-sig"))))
    assert len(picked) == PICKS and len(everything) == EVERYTHING
    texts = {row["card_text"] for row in picked}
    assert "Lunch is hot" not in texts and "The garden is lovely" in texts


async def test_big_cards_have_two_to_a_page(services: Services) -> None:
    """Layout 1x2 puts two cards on each page after the cover."""
    await _sample(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        big = await http.get("/admin/programmes/PARK/export/file?format=cards&layout=1x2")
        bad = await http.get("/admin/programmes/PARK/export/file?format=cards&layout=3x3")
        unknown = await http.get("/admin/programmes/PARK/export/file?format=docx")
    pages = page_texts(big.content)
    assert len(pages) == 1 + PICKS // 2
    assert len(REFERENCE.findall(pages[1])) == 2
    assert "cards-picks-1x2.pdf" in big.headers["content-disposition"]
    assert bad.status_code == 404 and unknown.status_code == 404


async def test_background_job_reports_progress_and_hands_over_the_file_once(
    services: Services, settings: Settings
) -> None:
    """Start, poll to done, download the PDF; then the file is gone from disk and the URL."""
    await _sample(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        started = await _start(http, "PARK", {"format": "cards", "layout": "2x4", "all": "true"})
        assert started.status_code == 202, started.text
        job = started.json()
        assert job["total"] == EVERYTHING and job["download_url"] is None
        folder = settings.export_dir / job["id"]
        assert folder.is_dir()
        finished = await _wait(http, job["status_url"])
        assert finished["status"] == "done" and finished["percent"] == 100
        assert finished["done"] == EVERYTHING
        download = await http.get(finished["download_url"])
        again = await http.get(finished["download_url"])
        status_after = await http.get(job["status_url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    assert 'filename="park-cards-all.pdf"' in download.headers["content-disposition"]
    assert len(page_texts(download.content)) == 1 + 2  # cover, 8 cards, 6 cards
    assert not folder.exists()
    assert again.status_code == 404 and status_after.status_code == 404


async def test_every_format_runs_as_a_job(services: Services) -> None:
    """Strips, XLSX and CSV jobs finish too, with their own file types."""
    await _sample(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        for fmt in ("strips", "xlsx", "csv"):
            job = (await _start(http, "PARK", {"format": fmt, "layout": "2x4"})).json()
            finished = await _wait(http, job["status_url"])
            file = await http.get(finished["download_url"])
            assert file.headers["content-type"].startswith(FORMATS[fmt].media_type.split(";")[0])
            assert finished["filename"] == f"park-{fmt}-picks.{FORMATS[fmt].extension}"


async def test_another_user_cannot_see_or_fetch_a_job(services: Services) -> None:
    """Jobs are per user: another administrator, even knowing the id, is told it does not exist."""
    await _sample(services)
    async with signed_in(services, "lead@example.org", "admin") as mine:
        job = (await _start(mine, "PARK", {"format": "csv", "layout": "2x4"})).json()
        finished = await _wait(mine, job["status_url"])
        async with signed_in(services, "other@example.org", "admin") as theirs:
            status = await theirs.get(job["status_url"])
            file = await theirs.get(finished["download_url"])
        still_mine = await mine.get(finished["download_url"])
    assert status.status_code == 404 and status.json()["detail"]
    assert file.status_code == 404
    assert still_mine.status_code == 200


async def test_a_job_belongs_to_its_programme(services: Services) -> None:
    """A job id does not open through another programme's address."""
    await _sample(services)
    await make_programme(services, "OTHER")
    async with signed_in(services, "lead@example.org", "admin") as http:
        job = (await _start(http, "PARK", {"format": "csv", "layout": "2x4"})).json()
        await _wait(http, job["status_url"])
        wrong = await http.get(f"/admin/programmes/OTHER/export/jobs/{job['id']}.json")
    assert wrong.status_code == 404


async def test_starting_a_job_needs_the_csrf_token(services: Services) -> None:
    await _sample(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        answer = await http.post(
            "/admin/programmes/PARK/export/jobs.json", data={"format": "csv", "layout": "2x4"}
        )
    assert answer.status_code == 403
    assert await _audit(services) == []


async def test_staff_cannot_export(services: Services) -> None:
    """Staff get 403 on the page, every download, the preview colours and jobs."""
    await _sample(services)
    async with signed_in(services, "staff@example.org", "staff") as http:
        for path in (
            "/admin/programmes/PARK/export",
            "/admin/programmes/PARK/export/colours.css",
            "/admin/programmes/PARK/export/file?format=cards",
            "/admin/programmes/PARK/export/cards",
            "/admin/programmes/PARK/export/jobs/" + "x" * 32 + ".json",
        ):
            assert (await http.get(path)).status_code == 403, path
        started = await _start(http, "PARK", {"format": "csv"}, page="/admin/programmes/PARK")
    assert started.status_code == 403
    assert await _audit(services) == []


async def test_a_lead_exports_only_their_programmes(services: Services) -> None:
    """A lead exports what they lead; another programme does not exist for them."""
    await _sample(services, "MINE")
    await _sample(services, "THEIRS")
    async with signed_in(services, "lead@example.org", "lead") as http:
        await link_lead(services, "MINE", "lead@example.org")
        mine = await http.get("/admin/programmes/MINE/export/csv")
        page = await http.get("/admin/programmes/THEIRS/export")
        theirs = await http.get("/admin/programmes/THEIRS/export/csv")
        job = await _start(http, "THEIRS", {"format": "csv"}, page="/admin/programmes/MINE/export")
    assert mine.status_code == 200
    assert page.status_code == 404 and theirs.status_code == 404 and job.status_code == 404
    assert [e.target for e in await _audit(services)] == ["MINE"]


async def test_every_export_is_audited(services: Services) -> None:
    """Who, which programme, which format, picks or all, and how many statements."""
    await _sample(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        await http.get("/admin/programmes/PARK/export/file?format=strips&all=true")
        job = (await _start(http, "PARK", {"format": "cards", "layout": "1x2"})).json()
        await _wait(http, job["status_url"])
    entries = await _audit(services)
    assert [(e.actor, e.target) for e in entries] == [("lead@example.org", "PARK")] * 2
    assert entries[0].detail == {
        "format": "strips",
        "all": True,
        "statements": EVERYTHING,
        "via": "admin",
    }
    assert entries[1].detail == {
        "format": "cards",
        "all": False,
        "statements": PICKS,
        "via": "admin",
        "layout": "1x2",
    }


async def test_a_failed_export_says_so(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the writer fails, the poll reports it (and no file is offered)."""
    from admin.exports import jobs as export_jobs

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_jobs, "write_export", broken)
    await _sample(services)
    async with signed_in(services, "lead@example.org", "admin") as http:
        job = (await _start(http, "PARK", {"format": "cards", "layout": "2x4"})).json()
        finished = await _wait(http, job["status_url"])
        file = await http.get(f"/admin/programmes/PARK/export/jobs/{job['id']}/file")
    assert finished["status"] == "failed" and "could not be made" in finished["error"]
    assert finished["download_url"] is None and file.status_code == 404
