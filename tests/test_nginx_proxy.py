"""Debian's nginx in front of the app, with the deployment guide's own proxy settings.

Why: Twilio signs the public https URL it calls, and the app sees a request that nginx
forwarded to 127.0.0.1. The guide (docs/deploy.md, section 6) promises that signed
webhooks still validate through its nginx settings and forged ones are still refused;
this test runs those settings for real. The settings are read from
`docs/nginx-wtfc.conf`, the very file the guide tells operators to include, so the
guide and the test cannot drift apart.

What differs from a real server, and why it does not matter here:

- TLS: there is no real certificate on loopback, so nginx listens on plain http on
  127.0.0.1. Requests carry `Host: collect.example.org` as Twilio's would, and are
  signed for `https://collect.example.org/...` as Twilio signs them; the app checks
  the signature against `WTFC_PUBLIC_URL`, not the scheme nginx reports.
- The upstream port in `proxy_pass` is the test app's free port instead of 8000.
- nginx runs in the foreground as one process (`master_process off`) with its files
  in a temporary prefix, so it needs no system directories and dies with the test.

The app is `uvicorn wtfc.asgi:app` in a child process (what `wtfc serve` runs),
with `WTFC_PUBLIC_URL=https://collect.example.org` and a Twilio auth token. Both
processes are killed in `finally`, whatever happens.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from collection.models import InboundLog, Participant, Statement
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.app_server import AppServer, free_port
from tests.support.twilio_client import AUTH_TOKEN, MESSAGES, PERSON, TwilioWebhookClient, new_sid

ROOT = Path(__file__).resolve().parents[1]
SNIPPET = ROOT / "docs" / "nginx-wtfc.conf"
GUIDE = ROOT / "docs" / "deploy.md"
PUBLIC_HOST = "collect.example.org"
PUBLIC_URL = f"https://{PUBLIC_HOST}"
GUIDE_UPSTREAM = "proxy_pass http://127.0.0.1:8000;"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
TIMEOUT = httpx.Timeout(15.0)

pytestmark = pytest.mark.slow  # two child processes per test, about 2 s each


# -- nginx as a child process ------------------------------------------------------------------


def _temp_path_directives(prefix: Path) -> str:
    """Every temp directory this nginx build would use, moved into `prefix`.

    Debian's build points them at /var/lib/nginx, which a test must not need; only the
    modules compiled in have a directive, so the list is read from `nginx -V`.
    """
    assert NGINX is not None
    built = subprocess.run([NGINX, "-V"], capture_output=True, text=True, timeout=10).stderr
    names = sorted(set(re.findall(r"--http-([a-z-]+)-temp-path=", built))) or ["client-body"]
    lines = []
    for name in names:
        folder = prefix / f"{name}-temp"
        folder.mkdir()
        lines.append(f"    {name.replace('-', '_')}_temp_path {folder};")
    return "\n".join(lines)


def nginx_conf(prefix: Path, listen_port: int, app_port: int) -> str:
    """A whole nginx.conf: one server on loopback that includes the guide's snippet."""
    snippet = SNIPPET.read_text(encoding="utf-8")
    assert snippet.count(GUIDE_UPSTREAM) == 1, "the snippet must proxy to the app once"
    (prefix / "wtfc.conf").write_text(
        snippet.replace(GUIDE_UPSTREAM, f"proxy_pass http://127.0.0.1:{app_port};"),
        encoding="utf-8",
    )
    return f"""
daemon off;
master_process off;
error_log {prefix}/error.log info;
pid {prefix}/nginx.pid;
events {{
    worker_connections 64;
}}
http {{
    access_log {prefix}/access.log;
{_temp_path_directives(prefix)}
    server {{
        # The guide's server listens on 443 with TLS; see the module docstring.
        listen 127.0.0.1:{listen_port};
        server_name {PUBLIC_HOST};
        include {prefix}/wtfc.conf;
    }}
}}
"""


class Nginx:
    """nginx in the foreground on a free loopback port; `stop` always leaves nothing behind."""

    def __init__(self, prefix: Path, app_port: int) -> None:
        self.prefix = prefix
        self.port = free_port()
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(nginx_conf(prefix, self.port, app_port), encoding="utf-8")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, timeout: float = 15) -> None:
        assert NGINX is not None
        command = [
            NGINX,
            "-p",
            str(self.prefix),
            "-c",
            str(self.conf),
            "-e",
            str(self.prefix / "error.log"),
        ]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=10)
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nginx exited with {self.process.returncode}:\n" + self.error_log()
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not start listening:\n" + self.error_log())

    def stop(self) -> None:
        """Quit nginx (SIGTERM), then SIGKILL its process group if it lingers."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# -- fixtures ----------------------------------------------------------------------------------


@dataclass
class Proxied:
    """The app behind nginx, and clients that talk to nginx as the public host."""

    nginx: Nginx
    app: AppServer
    http: httpx.AsyncClient
    twilio: TwilioWebhookClient


@pytest.fixture
def running(settings: Settings, tmp_path: Path) -> Iterator[tuple[Nginx, AppServer]]:
    """The app and nginx, both killed on the way out even when the test failed."""
    if NGINX is None:
        pytest.skip("nginx is not installed (scripts/setup test installs it)")
    app = AppServer(
        {
            "WTFC_DATABASE_URL": settings.database_url,
            "WTFC_SECRET_KEY": settings.secret_key,
            "WTFC_PUBLIC_URL": PUBLIC_URL,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "WTFC_TRUSTED_PROXIES": "127.0.0.1",  # as docs/deploy.md says behind nginx
        },
        log=tmp_path / "app.log",
    )
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    nginx = Nginx(prefix, app.port)
    try:
        app.start()
        nginx.start()
        yield nginx, app
    finally:
        try:
            nginx.stop()
        finally:
            app.stop()


@pytest.fixture
async def proxied(services: Services, running: tuple[Nginx, AppServer]) -> AsyncIterator[Proxied]:
    async with services.sessions() as session, session.begin():
        await create_programme(
            session=session,
            name="Park Centre",
            code="PARK",
            purpose="We want to hear what matters to you.",
        )
    nginx, app = running
    async with httpx.AsyncClient(
        base_url=nginx.base_url, headers={"Host": PUBLIC_HOST}, timeout=TIMEOUT
    ) as http:
        yield Proxied(nginx, app, http, TwilioWebhookClient(http, signed_base=PUBLIC_URL))


async def _count(services: Services, column: object) -> int:
    async with services.sessions() as session:
        query = select(func.count(column))  # type: ignore[call-overload]
        return int((await session.execute(query)).scalar_one())


def _text_form(body: str, sid: str | None = None) -> dict[str, str]:
    return {
        "MessageSid": sid or new_sid(),
        "AccountSid": "AC" + "0" * 32,
        "From": PERSON,
        "To": "+447700900999",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
    }


# -- the guide and the test read the same settings ---------------------------------------------


def test_the_guide_includes_the_snippet_this_test_runs() -> None:
    """Section 6 points at docs/nginx-wtfc.conf and repeats none of its proxy settings."""
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide[guide.index("## 6. nginx") : guide.index("## 7.")]
    assert "nginx-wtfc.conf" in section
    assert "include snippets/wtfc.conf;" in section
    assert "proxy_pass" not in section.replace("`proxy_pass`", "")
    snippet = SNIPPET.read_text(encoding="utf-8")
    for directive in (
        "client_max_body_size 256k;",
        "location / {",
        GUIDE_UPSTREAM,
        "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_read_timeout 30s;",
    ):
        assert directive in snippet, directive


# -- Twilio through nginx ----------------------------------------------------------------------


async def test_signed_texts_validate_through_nginx_and_are_stored(
    proxied: Proxied, services: Services
) -> None:
    """Signed for the public https URL, sent via nginx: 200 TwiML, and the answer is stored."""
    answers = [
        await proxied.twilio.text(body)
        for body in ("PARK", "YES", "1", "Going to the pub on Fridays")
    ]
    assert [a.status for a in answers] == [200, 200, 200, 200]
    assert all(a.content_type.startswith("application/xml") for a in answers)
    assert "Hello from Park Centre" in answers[0].said
    assert "That's 1 so far" in answers[3].said
    async with services.sessions() as session:
        texts = list((await session.execute(select(Statement.text))).scalars())
    assert texts == ["Going to the pub on Fridays"]
    assert await _count(services, InboundLog.id) == 4
    assert "127.0.0.1" in (proxied.nginx.prefix / "access.log").read_text()


async def test_a_signed_url_with_a_query_string_validates_through_nginx(
    proxied: Proxied, services: Services
) -> None:
    """nginx passes the query on byte for byte, so a signature over it still holds."""
    path = MESSAGES + "?source=poster&note=caf%C3%A9%20bus&empty="
    form = _text_form("PARK")
    answer = await proxied.twilio.post(path, form)
    assert answer.status_code == 200, answer.text
    assert "Hello from Park Centre" in answer.text
    assert await _count(services, InboundLog.id) == 1
    assert await _count(services, Participant.id) == 1


@pytest.mark.parametrize(
    "how",
    [
        "wrong token",
        "signed for nginx's own address",
        "body changed after signing",
        "signed without the query",
        "no signature",
    ],
)
async def test_forged_or_unsigned_posts_get_403_through_nginx(
    proxied: Proxied, services: Services, how: str
) -> None:
    """Whatever nginx does to the request, only Twilio's signature of the public URL passes."""
    form = _text_form("PARK")
    path = MESSAGES
    signature: str | None = None
    if how == "wrong token":
        forger = TwilioWebhookClient(proxied.http, signed_base=PUBLIC_URL, token="not-ours")
        signature = forger.sign(path, form)
    elif how == "signed for nginx's own address":
        local = TwilioWebhookClient(proxied.http, signed_base=proxied.nginx.base_url)
        signature = local.sign(path, form)
    elif how == "body changed after signing":
        signature = proxied.twilio.sign(path, form)
        form = {**form, "Body": "PARK and something else"}
    elif how == "signed without the query":
        signature = proxied.twilio.sign(path, form)
        path = MESSAGES + "?source=poster"
    answer = await proxied.twilio.post(path, form, signature=signature)
    assert answer.status_code == 403
    assert answer.json() == {"detail": "not signed by Twilio"}  # the app's refusal, not nginx's
    assert await _count(services, InboundLog.id) == 0
    assert await _count(services, Participant.id) == 0


async def test_oversized_bodies_get_413_from_nginx_or_the_app(
    proxied: Proxied, services: Services
) -> None:
    """Over 256k nginx refuses before the app hears of it; over the webhook's 64k, the app."""
    huge = _text_form("x" * 300_000)
    by_nginx = await proxied.http.post(
        MESSAGES, data=huge, headers={"X-Twilio-Signature": proxied.twilio.sign(MESSAGES, huge)}
    )
    assert by_nginx.status_code == 413
    assert "nginx" in by_nginx.text  # nginx's own error page: the app never saw it
    big = _text_form("x" * 100_000)
    by_app = await proxied.http.post(
        MESSAGES, data=big, headers={"X-Twilio-Signature": proxied.twilio.sign(MESSAGES, big)}
    )
    assert by_app.status_code == 413
    assert by_app.json() == {"detail": "body too large"}  # the webhook's own refusal
    chat = await proxied.http.post(
        "/chat/messages",
        content=b"{" + b" " * 300_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert chat.status_code == 413
    assert await _count(services, InboundLog.id) == 0


async def test_the_apps_413_is_not_turned_into_a_502_by_nginx(proxied: Proxied) -> None:
    """Regression: the webhook answered 413 before reading a 64-256k body, and the closed
    connection made nginx answer 502 ("broken pipe while sending request to upstream") to
    a few in a hundred, which Twilio would retry. Many at once, every one must be 413."""
    big = _text_form("x" * 100_000)
    headers = {"X-Twilio-Signature": proxied.twilio.sign(MESSAGES, big)}
    statuses: list[int] = []
    for _ in range(4):
        answers = await asyncio.gather(
            *(proxied.http.post(MESSAGES, data=big, headers=headers) for _ in range(25))
        )
        statuses += [answer.status_code for answer in answers]
    assert statuses == [413] * 100


# -- the web chat through nginx ----------------------------------------------------------------


async def test_the_web_chat_works_through_nginx_with_its_security_headers(
    proxied: Proxied,
) -> None:
    """The page, its script and a message all pass through; the headers the app sets survive."""
    page = await proxied.http.get("/chat?code=park")
    assert page.status_code == 200
    assert "Park Centre" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-frame-options"] == "DENY"
    script = await proxied.http.get("/chat/static/chat.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    answer = await proxied.http.post(
        "/chat/messages",
        json={
            "code": "PARK",
            "session": str(uuid.uuid4()),
            "message_id": str(uuid.uuid4()),
            "text": "",
            "kind": "join",
        },
    )
    assert answer.status_code == 200, answer.text
    assert "Hello from Park Centre" in answer.json()["replies"][0]["text"]
    assert answer.headers["x-content-type-options"] == "nosniff"
