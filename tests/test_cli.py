"""The `wtfc` command as an operator uses it: programmes, a piped chat, the CSV export."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
from pathlib import Path

from collection.runtime import Services
from collection.settings import Settings

CONVERSATION = """YES
1
Going to the pub on Fridays
My support worker listens to me
=HYPERLINK("http://evil.example","click")
DONE
1 3
The bus is late
DONE
Learn to cook
More say in my support
-1 day a week at college
DONE
2 3
YES
"""


def _wtfc(settings: Settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WTFC_DATABASE_URL": settings.database_url,
        "WTFC_SECRET_KEY": settings.secret_key,
    }
    return subprocess.run(
        [sys.executable, "-m", "wtfc.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


async def test_programme_create_and_list(settings: Settings, services: Services) -> None:
    """An operator creates a programme and sees it listed with its counts."""
    made = _wtfc(
        settings,
        "programme",
        "create",
        "--name",
        "Park Centre",
        "--code",
        "park",
        "--target",
        "40",
        "--languages",
        "en,cy",
    )
    assert made.returncode == 0, made.stderr
    assert "Created PARK" in made.stdout
    again = _wtfc(settings, "programme", "create", "--name", "Copy", "--code", "PARK")
    assert again.returncode == 2 and "already exists" in again.stderr
    listed = _wtfc(settings, "programme", "list")
    assert "PARK" in listed.stdout and "started 0/40" in listed.stdout


async def test_terminal_chat_then_csv_export_lists_exactly_the_picks(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    """A piped terminal conversation completes; the CSV holds the picks and nothing else."""
    assert (
        _wtfc(
            settings,
            "programme",
            "create",
            "--name",
            "Park",
            "--code",
            "PARK",
            "--purpose",
            "We want to hear you.",
        ).returncode
        == 0
    )
    chat = _wtfc(settings, "chat", "PARK", stdin=CONVERSATION)
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.startswith("Hello from Park.")
    assert "Thank you for taking part" in chat.stdout
    assert "message later" not in chat.stdout  # nobody can be reached from a terminal
    output = tmp_path / "cards.csv"
    exported = _wtfc(settings, "export", "PARK", "--format", "csv", "--output", str(output))
    assert exported.returncode == 0, exported.stderr
    with output.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = sorted(row["card_text"] for row in rows)
    assert texts == sorted(
        [
            "Going to the pub on Fridays",
            '\'=HYPERLINK("http://evil.example","click")',
            "The bus is late",
            "More say in my support",
            "'-1 day a week at college",
        ]
    )
    assert [row["reference"][0] for row in rows] == ["W", "W", "N", "F", "F"]
    assert all(row["perspective"] == "person" for row in rows)
    everything = tmp_path / "all.csv"
    _wtfc(settings, "export", "PARK", "--format", "csv", "--output", str(everything), "--all")
    with everything.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 7


async def test_export_of_an_unknown_programme_says_so(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    """A mistyped code gets a clear message and a non-zero exit, not a traceback."""
    result = _wtfc(
        settings, "export", "NOPE", "--format", "csv", "--output", str(tmp_path / "x.csv")
    )
    assert result.returncode == 2
    assert "no programme has the code NOPE" in result.stderr


async def test_every_export_format_from_the_command_line(
    settings: Settings, services: Services, tmp_path: Path
) -> None:
    """Cards, strips and XLSX come out of `wtfc export` with the picked statements in them."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    assert (
        _wtfc(settings, "programme", "create", "--name", "Park", "--code", "PARK").returncode == 0
    )
    assert _wtfc(settings, "chat", "PARK", stdin=CONVERSATION).returncode == 0
    for fmt, name in (("cards", "cards.pdf"), ("strips", "strips.pdf"), ("xlsx", "deck.xlsx")):
        result = _wtfc(
            settings, "export", "PARK", "--format", fmt, "--output", str(tmp_path / name)
        )
        assert result.returncode == 0, result.stderr
    for name in ("cards.pdf", "strips.pdf"):
        text = " ".join(page.extract_text() for page in PdfReader(tmp_path / name).pages)
        assert "Going to the pub on Fridays" in " ".join(text.split())
        assert "Park" in text
    workbook = load_workbook(tmp_path / "deck.xlsx", read_only=True)
    cells = {
        str(c)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    }
    assert "The bus is late" in cells
    assert "My support worker listens to me" not in cells  # not picked


def test_serve_refuses_a_public_url_with_the_development_key(tmp_path: Path) -> None:
    """A real deployment (a public URL) must not run on the development secret key."""
    env = {
        **os.environ,
        "WTFC_PUBLIC_URL": "https://collect.example.org",
        "WTFC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
    }
    env.pop("WTFC_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "wtfc.cli", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "WTFC_SECRET_KEY" in result.stderr


async def test_programme_create_refuses_what_the_api_refuses(
    settings: Settings, services: Services
) -> None:
    """An unknown language from the command line is refused (it broke the API's list)."""
    made = _wtfc(
        settings, "programme", "create", "--name", "Park", "--code", "PARK", "--languages", "xx"
    )
    assert made.returncode == 2
    assert "unknown language: 'xx'" in made.stderr
    assert "PARK" not in _wtfc(settings, "programme", "list").stdout


def _wtfc_in(folder: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`wtfc` run in `folder` with the default database (./wtfc.db), as a newcomer runs it."""
    env = {k: v for k, v in os.environ.items() if k != "WTFC_DATABASE_URL"}
    root = Path(__file__).resolve().parents[1]
    return subprocess.run(
        [sys.executable, "-m", "wtfc.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(root), "WTFC_SECRET_KEY": "x" * 40},
        cwd=folder,
        timeout=120,
        check=False,
    )


def test_read_only_commands_create_no_database(tmp_path: Path) -> None:
    """export, chat and programme list in an empty folder: clear answers, no stray wtfc.db."""
    exported = _wtfc_in(tmp_path, "export", "NOPE", "--format", "csv", "--output", "x.csv")
    chat = _wtfc_in(tmp_path, "chat", "NOPE", stdin="hello\n")
    listed = _wtfc_in(tmp_path, "programme", "list")
    assert exported.returncode == 2 and "no programme has the code NOPE" in exported.stderr
    assert chat.returncode == 2 and "no programme has the code NOPE" in chat.stderr
    assert listed.returncode == 0 and "No programmes yet" in listed.stdout
    assert list(tmp_path.iterdir()) == []


async def test_chat_with_an_unknown_code_says_so(settings: Settings, services: Services) -> None:
    """A mistyped code in `wtfc chat` is refused with a non-zero exit, not a conversation."""
    chat = _wtfc(settings, "chat", "NOPE", stdin="hello\n")
    assert chat.returncode == 2
    assert "no programme has the code NOPE" in chat.stderr
    assert chat.stdout == ""


def test_serve_on_a_busy_port_says_so_before_anything_else(tmp_path: Path) -> None:
    """Port taken: one clear message with how to pick another, nothing printed as running."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _wtfc_in(tmp_path, "serve", "--demo", "--port", str(port))
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"scripts/demo --port {port + 1}" in result.stderr
    assert list(tmp_path.iterdir()) == []
