"""Prism, Stoplight's OpenAPI mock server, as a session-scoped pytest fixture.

Our Twilio code is tested against Twilio's own published description of its
REST API rather than a mock we wrote: Prism answers every operation in the
description with its example and rejects a request that breaks the contract
(a missing ``To``, a malformed Account SID, no Basic auth) with a 4xx and the
validation errors. So a green test means the request is one Twilio accepts.

Prism is installed by ``scripts/install-tools`` into ``.tools/`` (the fixture
runs the script itself when it is missing) and the description is pinned in
the repository, ``tests/fixtures/twilio/`` (MIT, licence beside it). Prism
loads the 1.8 MB Twilio description before it listens (a few seconds here, up
to 20 on a slow machine), hence one server per test session and a generous start-up timeout.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_TOOLS = REPO_ROOT / "scripts" / "install-tools"
PRISM_BIN = REPO_ROOT / ".tools" / "node_modules" / ".bin" / "prism"
STARTUP_TIMEOUT = 120.0


def twilio_spec() -> Path:
    """Twilio's OpenAPI description of its 2010-04-01 REST API (Messages and the rest)."""
    return REPO_ROOT / "tests" / "fixtures" / "twilio" / "twilio_api_v2010.json"


def prism_executable() -> Path:
    """The pinned Prism in ``.tools/``, installed by ``scripts/install-tools`` if need be."""
    if not PRISM_BIN.exists():
        subprocess.run(["bash", str(INSTALL_TOOLS)], check=True, timeout=600)
    if not PRISM_BIN.exists():
        raise FileNotFoundError(f"scripts/install-tools did not install {PRISM_BIN}")
    return PRISM_BIN


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrismServer:
    """One ``prism mock`` process on a loopback port, serving one OpenAPI description."""

    def __init__(self, spec: Path, *, port: int | None = None, dynamic: bool = False) -> None:
        self.spec = spec
        self.port = port or free_port()
        self.dynamic = dynamic
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="prism-", suffix=".log", delete=False)  # noqa: SIM115

    @property
    def log_path(self) -> Path:
        return Path(self._log.name)

    def start(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Start Prism and return once it answers HTTP (it loads the description first)."""
        command = [str(prism_executable()), "mock", "-h", "127.0.0.1", "-p", str(self.port)]
        if self.dynamic:
            command.append("--dynamic")
        command.append(str(self.spec))
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends it and its children
            env={**os.environ, "SCARF_ANALYTICS": "false", "DO_NOT_TRACK": "1"},
        )
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"Prism exited with {self._process.returncode}:\n{self.log()}")
            try:
                httpx.get(self.base_url + "/", timeout=2.0)
            except httpx.TransportError:
                time.sleep(0.25)
                continue
            return  # any HTTP answer (a 404 for "/") means it is listening
        raise TimeoutError(f"Prism did not answer within {timeout:g} s:\n{self.log()}")

    def log(self, tail: int = 4000) -> str:
        """The end of Prism's output, for error messages."""
        return self.log_path.read_text(errors="replace")[-tail:]

    def stop(self) -> None:
        """Stop Prism (SIGTERM to its own process group, then SIGKILL) and remove its log."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self._log.close()
        self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> PrismServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def prism_fixture(
    spec: Path | Callable[[], Path], *, name: str | None = None, dynamic: bool = False
) -> Any:
    """A session-scoped fixture that yields a started `PrismServer` for ``spec``.

    Bind it to a name in a test module or a conftest::

        twilio_prism = prism_fixture(twilio_spec, name="twilio_prism")
    """

    @pytest.fixture(scope="session", name=name)
    def _prism() -> Iterator[PrismServer]:
        path = spec() if callable(spec) else spec
        with PrismServer(path, dynamic=dynamic) as server:
            yield server

    return _prism
