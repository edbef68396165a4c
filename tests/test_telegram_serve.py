"""A real server process with Telegram: it polls by itself; several workers need the webhook."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET
from tests.support import telegram_emulator as telegram_support
from tests.support.app_server import AppServer
from tests.support.telegram_emulator import TelegramHarness, TelegramUser
from wtfc.serve import serve

telegram_emulator = telegram_support.telegram_emulator
telegram_harness = telegram_support.telegram_harness

ROOT = Path(__file__).resolve().parents[1]


def test_several_workers_with_telegram_polling_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Telegram lets one process poll a bot: more workers must use the webhook."""
    monkeypatch.setenv("WTFC_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:9/none")
    monkeypatch.setenv("WTFC_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "7123456789:refused")
    monkeypatch.delenv("WTFC_PUBLIC_URL", raising=False)
    args = argparse.Namespace(host="127.0.0.1", port=9, workers=2, demo=False)
    assert serve(args) == 2
    assert "WTFC_PUBLIC_URL" in capsys.readouterr().err


@pytest.mark.slow
async def test_a_server_process_polls_telegram_and_answers(
    telegram_harness: TelegramHarness, tmp_path: Path
) -> None:
    """uvicorn with the app, no public URL: a /start PARK typed in Telegram is answered."""
    tg = telegram_harness
    env = {
        "WTFC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'wtfc.db'}",
        "WTFC_SECRET_KEY": TEST_SECRET,
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.base_url,
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "wtfc.cli",
            "programme",
            "create",
            "--name",
            "Park Centre",
            "--code",
            "PARK",
        ],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    server = AppServer(env, log=tmp_path / "server.log")
    server.start(timeout=60)
    try:
        tg.send_text(TelegramUser(5012345678, "Megan"), "/start PARK")
        welcome, consent = (await tg.wait_for_replies(2, timeout=20))[:2]
        assert welcome.text is not None and welcome.text.startswith("Hello from Park Centre")
        assert consent.button_texts() == ["Yes", "No"]
        assert tg.recorded_calls("setMyCommands") and tg.recorded_calls("deleteWebhook")
    finally:
        server.stop()
    log = (tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")
    assert tg.token not in log and "5012345678" not in log
