"""HTTP hardening shared by every route: security headers, a body size cap, 503 on outages.

- Security headers: a Content-Security-Policy with no inline scripts, no framing,
  no MIME sniffing, no referrer leaking a programme code to other sites.
- Request bodies are capped (a webhook or a form never needs more), so a huge post
  is refused with 413 before anything reads it into memory.
- Any exception a route leaves is answered by the one outage policy
  (`collection.outage`): the database not answering is a quick 503 with
  `Retry-After` (Twilio and Telegram retry on it), a value it refused is a 422,
  and anything else is our bug: a 500 and one log line, never a retried 503.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from collection import outage
from collection.flood import TooManyMessagesError
from collection.settings import Settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
DOCS_PATHS = ("/docs", "/redoc")
"""FastAPI's own API docs load their script from a CDN: they get a looser policy."""


class BodyTooLargeError(Exception):
    pass


class HardeningMiddleware:
    """Pure ASGI middleware: caps request bodies, adds security headers, and answers any
    exception a route left by the outage policy (see `failure_answer`)."""

    def __init__(
        self,
        app: ASGIApp,
        max_body: int = MAX_BODY_BYTES,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.headers = {**SECURITY_HEADERS, **(extra_headers or {})}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _too_large(scope, receive, send)
            return
        received = 0
        too_large = False
        replaced: list[bool] = []
        started: list[bool] = []

        async def capped_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    too_large = True
                    raise BodyTooLargeError
            return message

        path = str(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(True)
            if too_large:
                # The app turned our error into its own answer (e.g. 400): say 413 instead.
                if message["type"] == "http.response.start":
                    message = {
                        **message,
                        "status": 413,
                        "headers": [(b"content-type", b"application/json")],
                    }
                elif message["type"] == "http.response.body":
                    if replaced:
                        return
                    replaced.append(True)
                    message = {
                        **message,
                        "body": b'{"detail":"Request body too large."}',
                        "more_body": False,
                    }
            if message["type"] == "http.response.start":
                extra = (
                    []
                    if path.startswith(DOCS_PATHS)
                    else [(k.lower().encode(), v.encode()) for k, v in self.headers.items()]
                )
                existing = {k for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in existing
                ]
            await send(message)

        try:
            await self.app(scope, capped_receive, send_with_headers)
        except BodyTooLargeError:
            await _too_large(scope, receive, send)
        except Exception as error:
            if started:  # half an answer is out: only the server can end it now
                raise
            answer = failure_answer(error, f"{scope.get('method', '')} {path}")
            await answer(scope, receive, send_with_headers)


UNAVAILABLE_DETAIL = "The database is not answering. Please try again shortly."
UNSTORABLE_DETAIL = (
    "The request holds a value that cannot be stored (out of range, or text with a NUL character)."
)


def failure_answer(error: Exception, where: str) -> Response:
    """The answer to an exception no route handled, as the outage policy says.

    503 with `Retry-After` and the outage's kind when the database is not answering;
    422 when it refused a value the request carried (bad input never gives a 500);
    500 for anything else, our bug, logged once with its traceback.
    """
    diagnosis = outage.report(error, log, where)
    if diagnosis.verdict is outage.Verdict.OUTAGE:
        return JSONResponse(
            {"detail": UNAVAILABLE_DETAIL, "kind": diagnosis.kind},
            status_code=diagnosis.status_code,
            headers=diagnosis.headers,
        )
    if diagnosis.verdict is outage.Verdict.REFUSED_VALUE:
        # The shape of every other 422 (a list of errors), as /openapi.json documents.
        detail = [{"loc": ["body"], "msg": UNSTORABLE_DETAIL, "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=422)
    return PlainTextResponse("Internal Server Error", status_code=500)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse({"detail": "Request body too large."}, status_code=413)
    await response(scope, receive, send)


ECHO_DEPTH = 20
"""How deep a refused input is repeated in a 422; deeper parts are left out."""


def printable(value: Any, depth: int = 0) -> Any:
    """`value` made safe to echo back in a 422: UTF-8 text, finite numbers, shallow.

    FastAPI's 422 repeats the input it refused, and that answer itself failed, so a
    bad request got a 500: for a body that is not UTF-8 (sent as text/plain or with no
    content type), and for JSON carrying a lone surrogate or a number JSON cannot
    write back (`1e400` is read as infinity). Below `ECHO_DEPTH` nothing is repeated,
    so walking JSON nested hundreds deep cannot exhaust the stack here either.
    """
    if depth > ECHO_DEPTH:
        return "..."
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {printable(k, depth + 1): printable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(item, depth + 1) for item in value]
    return value


HSTS = "max-age=31536000"
"""A year of https only, once a browser has seen the site over https (no subdomains: the
council's other sites are not ours to pin)."""


def transport_headers(settings: Settings) -> dict[str, str]:
    """Strict-Transport-Security when the public address is https, so a browser that has
    been there once never again sends a session cookie over plain http."""
    if settings.public_url and settings.public_url.lower().startswith("https://"):
        return {"Strict-Transport-Security": HSTS}
    return {}


def install(app: FastAPI) -> None:
    """Add the middleware (which answers outages and bugs), and the handlers for floods
    and invalid requests."""
    settings: Settings | None = getattr(app.state, "settings", None)
    app.add_middleware(
        HardeningMiddleware,
        extra_headers=transport_headers(settings) if settings is not None else {},
    )
    if settings is not None and settings.trusted_proxies:
        # Only these addresses may say who the client is (X-Forwarded-For/-Proto); from any
        # other, the headers are ignored: a visitor cannot pick the address the login
        # throttle and the flood limits count.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    async def too_many(request: Request, error: Exception) -> Response:
        retry = error.retry_after if isinstance(error, TooManyMessagesError) else 60
        return JSONResponse(
            {"detail": "Too many messages from this sender."},
            status_code=429,
            headers={"Retry-After": str(int(retry) + 1)},
        )

    app.add_exception_handler(TooManyMessagesError, too_many)

    async def invalid_request(request: Request, error: Exception) -> Response:
        # FastAPI's own handler, except that the echoed input is made printable first.
        errors = error.errors() if isinstance(error, RequestValidationError) else []
        return JSONResponse({"detail": jsonable_encoder(printable(errors))}, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid_request)
