"""Run `wtfc` as a real server process on loopback, for fault tests (kill -9, restarts)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppServer:
    """`uvicorn wtfc.asgi:app` in a child process with the given environment."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        port: int | None = None,
        workers: int = 1,
        log: Path | None = None,
    ) -> None:
        self.port = port or free_port()
        # As in conftest: the inline budget is never missed by chance unless a test asks.
        self.env = {
            **os.environ,
            "WTFC_INLINE_BUDGET_MS": "60000",
            **env,
            "PYTHONPATH": str(ROOT),
        }
        self.workers = workers
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 40) -> None:
        """Launch the server and wait until it answers /healthz."""
        self.launch()
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                if httpx.get(self.base_url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError("server did not become healthy")

    def launch(self) -> None:
        """Start the server process and return at once (it may not answer yet)."""
        output = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "wtfc.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
                # As `wtfc serve`: the app applies WTFC_TRUSTED_PROXIES, uvicorn trusts nobody.
                "--no-proxy-headers",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )

    def freeze(self) -> None:
        """SIGSTOP the whole process group: it does nothing until `thaw`, mid-step or not."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGCONT)

    def kill(self) -> None:
        """kill -9 the whole process group: no shutdown, no flushing, like a power cut."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
