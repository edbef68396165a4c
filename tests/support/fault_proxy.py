"""A loopback proxy in front of a mock API that records every request and injects faults.

Prism answers every valid request with success, and Twilio's description of
``POST .../Messages.json`` documents no error responses, so Prism cannot be
asked (``Prefer: code=429``) for a rate limit or an unsubscribed recipient. Our
code goes through the twilio library, which would not send such a header
anyway. This proxy sits between them: tests point ``TWILIO_API_BASE_URL`` at
it, queue faults for the next requests, and read back what was sent (method,
path, form fields, arrival time), so they can assert content and pacing.

Every request is still forwarded to the upstream first, faulted or not, so
Prism validates it against the contract (``upstream_status``); a fault then
replaces the answer. A delay fault holds the answer back to provoke a client
timeout.

The server runs uvicorn in a thread with its own event loop, so it serves
synchronous callers and any test's event loop alike.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any
from urllib.parse import parse_qs, parse_qsl

import httpx
import pytest
import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_HOP_BY_HOP = {"connection", "content-length", "transfer-encoding", "keep-alive", "host"}


@dataclass(frozen=True, slots=True)
class Fault:
    """What to do to one request: hold it ``delay`` seconds, then answer ``status`` + ``body``.

    ``status=None`` answers with the upstream's own response (a pure delay).
    """

    status: int | None = None
    body: Mapping[str, object] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


def twilio_error(
    status: int, code: int, message: str, *, retry_after: float | None = None
) -> Fault:
    """An error answer in Twilio's REST error format (``code``, ``message``, ``more_info``)."""
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Fault(status=status, body=body, headers=headers)


def delay(seconds: float) -> Fault:
    """Hold the (upstream's) answer back for ``seconds``: longer than a client timeout, say."""
    return Fault(delay=seconds)


RATE_LIMITED = twilio_error(429, 20429, "Too Many Requests", retry_after=1)
SERVER_ERROR = twilio_error(500, 20500, "Internal Server Error")
SERVICE_UNAVAILABLE = twilio_error(503, 20503, "Service Unavailable")
UNSUBSCRIBED = twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")
INVALID_NUMBER = twilio_error(400, 21211, "The 'To' number is not a valid phone number.")
NOT_MOBILE = twilio_error(400, 21614, "'To' number is not a valid mobile number")


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the proxy received it, and what it answered."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    form_lists: dict[str, list[str]]
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival
    upstream_status: int | None  # Prism's verdict; None if the upstream could not be reached
    status: int  # what the client got
    upstream_body: str

    @property
    def valid(self) -> bool:
        """Whether the upstream (Prism) accepted the request as the contract describes it."""
        return self.upstream_status is not None and 200 <= self.upstream_status < 300


class FaultProxy:
    """A recording, fault-injecting HTTP proxy on a free 127.0.0.1 port."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self._requests: list[RecordedRequest] = []
        config = uvicorn.Config(
            self._app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            loop="asyncio",
            http="h11",
            interface="asgi3",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    # -- control, from the test ------------------------------------------------------------

    def inject(self, *faults: Fault) -> None:
        """Queue faults: each of the next requests takes the next fault, in order."""
        with self._lock:
            self._faults.extend(faults)

    def fail_next(self, count: int, fault: Fault) -> None:
        """The next ``count`` requests all get ``fault``."""
        self.inject(*([fault] * count))

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received since the last `reset`, oldest first."""
        with self._lock:
            return list(self._requests)

    def intervals(self) -> list[float]:
        """Seconds between consecutive arrivals, for pacing assertions (``TWILIO_MPS``)."""
        times = [r.at for r in self.requests]
        return [later - earlier for earlier, later in pairwise(times)]

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    def reset(self) -> None:
        """Forget recorded requests and drop faults not yet used."""
        with self._lock:
            self._faults.clear()
            self._requests.clear()

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until ``count`` requests were recorded (each is recorded before any delay)."""
        deadline = time.monotonic() + timeout
        while len(recorded := self.requests) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(recorded)} of {count} requests arrived in {timeout} s")
            time.sleep(0.01)
        return recorded

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fault proxy did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- the server, in its own thread -------------------------------------------------------

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        arrived = time.monotonic()
        body = await _read_body(receive)
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        query = scope["query_string"].decode("latin-1")
        upstream = await self._forward(scope["method"], scope["path"], query, headers, body)
        if fault is not None and fault.status is not None:
            status = fault.status
            payload = json.dumps(fault.body or {}).encode()
            answer_headers = {"content-type": "application/json", **fault.headers}
        elif upstream is not None:
            status, payload = upstream.status_code, upstream.content
            answer_headers = {
                k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP
            }
        else:
            status, payload, answer_headers = 502, b'{"message": "upstream unreachable"}', {}
        self._record(scope, query, headers, body, arrived, upstream, status)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in answer_headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def _forward(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> httpx.Response | None:
        """Ask the upstream (Prism), so it validates the request even when a fault answers."""
        url = self.upstream + path + (f"?{query}" if query else "")
        forwarded = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                return await client.request(method, url, headers=forwarded, content=body)
        except httpx.HTTPError:
            return None

    def _record(
        self,
        scope: Scope,
        query: str,
        headers: dict[str, str],
        body: bytes,
        arrived: float,
        upstream: httpx.Response | None,
        status: int,
    ) -> None:
        form_lists: dict[str, list[str]] = {}
        if "x-www-form-urlencoded" in headers.get("content-type", ""):
            form_lists = parse_qs(body.decode(), keep_blank_values=True)
        recorded = RecordedRequest(
            method=scope["method"],
            path=scope["path"],
            query=dict(parse_qsl(query, keep_blank_values=True)),
            form={k: v[0] for k, v in form_lists.items()},
            form_lists=form_lists,
            headers=headers,
            at=arrived,
            upstream_status=upstream.status_code if upstream is not None else None,
            status=status,
            upstream_body=upstream.text if upstream is not None else "",
        )
        with self._lock:
            self._requests.append(recorded)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def fault_proxy_fixture(upstream_fixture: str, *, name: str | None = None) -> Any:
    """A session-scoped fixture: a `FaultProxy` in front of the fixture ``upstream_fixture``.

    The upstream fixture must yield an object with a ``base_url`` (a `PrismServer`).
    The proxy is shared by the session: call ``reset()`` at the start of each test.
    """

    @pytest.fixture(scope="session", name=name)
    def _proxy(request: pytest.FixtureRequest) -> Iterator[FaultProxy]:
        upstream = request.getfixturevalue(upstream_fixture)
        with FaultProxy(upstream.base_url) as proxy:
            yield proxy

    return _proxy
