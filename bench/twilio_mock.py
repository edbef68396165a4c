"""A fast stand-in for Twilio's Messages API, for the burst benchmark only.

Prism (what the tests use) validates every request against Twilio's contract but
takes milliseconds a request in Node; a burst sends thousands. This answers
`POST .../Messages.json` at once with a sequential SID and records when each
message arrived and for whom, so the benchmark can say when every person's
replies were sent and in which order. Runs uvicorn in a thread on loopback.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class Sent:
    to: str
    body: str
    at: float
    sid: str


@dataclass
class TwilioMock:
    sent: list[Sent] = field(default_factory=list)
    port: int = 0

    async def messages(self, request: Request) -> JSONResponse:
        form = dict(parse_qsl((await request.body()).decode()))
        sid = f"SM{len(self.sent) + 1:032d}"
        self.sent.append(Sent(form.get("To", ""), form.get("Body", ""), time.monotonic(), sid))
        return JSONResponse(
            {"sid": sid, "status": "queued", "to": form.get("To"), "body": form.get("Body")},
            status_code=201,
        )

    def __enter__(self) -> TwilioMock:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        app = Starlette(
            routes=[
                Route("/2010-04-01/Accounts/{sid}/Messages.json", self.messages, methods=["POST"])
            ]
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve()), daemon=True
        )
        self._thread.start()
        while not self._server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
