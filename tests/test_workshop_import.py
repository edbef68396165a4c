"""`wtfc workshop import CODE FILE`: CSV and XLSX, and clear errors with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from collection.runtime import Services
from tests.support.admin import bearer, client
from tests.support.workshop import API, lead_token, run_cli, seed_sample

BASE = API.format(code="PARK")


async def _piles(services: Services) -> list[dict[str, object]]:
    token = await lead_token(services)
    async with client(services) as api:
        piles: list[dict[str, object]] = (
            await api.get(f"{BASE}/piles", headers=bearer(token))
        ).json()
    return piles


async def test_an_xlsx_from_paper_makes_the_piles(
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Rows of reference and theme (any case, with blank rows) become piles with those cards."""
    await seed_sample(services)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in (
        ["Reference", "Theme"],
        ["w-01", "I get out"],
        [None, None],
        ["W-02", "I get out"],
        ["N-01", "I am lonely"],
        ["F-01", "Parked"],
    ):
        sheet.append(row)
    path = tmp_path / "paper.xlsx"
    workbook.save(path)
    assert await run_cli(services, monkeypatch, ["workshop", "import", "PARK", str(path)]) == 0
    assert "Imported 4 cards into 2 piles (1 parked) for PARK." in capsys.readouterr().out
    piles = await _piles(services)
    assert [(p["name"], p["count"]) for p in piles] == [("I get out", 2), ("I am lonely", 1)]


async def test_unknown_and_repeated_references_are_refused_with_line_numbers(
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every problem is listed with its line; the exit code is 2 and nothing is stored."""
    await seed_sample(services)
    path = tmp_path / "paper.csv"
    path.write_text(
        "reference,theme\nW-01,I get out\nW-99,I get out\nW-01,Something\nN-02,\n",
        encoding="utf-8",
    )
    assert await run_cli(services, monkeypatch, ["workshop", "import", "PARK", str(path)]) == 2
    errors = capsys.readouterr().err
    assert "Line 3: there is no card W-99." in errors
    assert "Line 4: W-01 is repeated (first on line 2)." in errors
    assert "Line 5: no theme for N-02." in errors
    assert await _piles(services) == []


async def test_a_file_without_the_columns_or_programme_is_refused(
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A header without reference/theme, an unknown code, a missing file: exit 2, a reason."""
    await seed_sample(services)
    bad = tmp_path / "bad.csv"
    bad.write_text("ref,pile\nW-01,x\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text("reference,theme\nW-01,x\n", encoding="utf-8")
    assert await run_cli(services, monkeypatch, ["workshop", "import", "PARK", str(bad)]) == 2
    assert await run_cli(services, monkeypatch, ["workshop", "import", "NOPE", str(good)]) == 2
    missing = str(tmp_path / "missing.csv")
    assert await run_cli(services, monkeypatch, ["workshop", "import", "PARK", missing]) == 2
    errors = capsys.readouterr().err
    assert "Line 1: the first row must name the columns 'reference' and 'theme'." in errors
    assert "There is no programme with the code NOPE." in errors
    assert "There is no file" in errors


async def test_importing_twice_is_refused(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workshop that already has piles is not imported into (nothing is doubled)."""
    await seed_sample(services)
    path = tmp_path / "paper.csv"
    path.write_text("reference,theme\nW-01,I get out\n", encoding="utf-8")
    assert await run_cli(services, monkeypatch, ["workshop", "import", "PARK", str(path)]) == 0
    assert await run_cli(services, monkeypatch, ["workshop", "import", "PARK", str(path)]) == 2
    assert len(await _piles(services)) == 1
