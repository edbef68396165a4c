"""The HTTP client the twilio library sends through: asynchronous, a base URL and a timeout.

twilio builds absolute ``https://api.twilio.com/2010-04-01/...`` URLs itself and
offers no base URL option; what it does offer is a pluggable HTTP client
(``twilio.rest.Client(..., http_client=...)``). Rewriting the host there is the
supported way to point the real library at a local mock (``TWILIO_API_BASE_URL``)
while everything above it (paths, form encoding, auth, error parsing) stays
Twilio's own code.

The client is asynchronous (twilio's ``AsyncHttpClient`` over aiohttp, which twilio
itself depends on): the outbox sends from the event loop, with no worker thread.
Sending 600 messages to the bench's mock (`bench/send_cost.py`), a send cost 2.44 ms
of CPU through twilio's requests client in worker threads and 1.03 ms through this one,
the mock's share included in both. twilio's own ``AsyncTwilioHttpClient`` is not used
as it stands: it opens its aiohttp session outside any event loop, passes the
timeout as a bare number and logs every request.

A timeout is always set: one hung connection would otherwise stall the dispatcher.

The twilio library raises errors that keep the status and Twilio's error code
but drop the response headers; the sender needs ``Retry-After`` from a 429, so
the client keeps it in a context variable for the task that made the request.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Mapping
from contextvars import ContextVar
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from twilio.http import AsyncHttpClient
from twilio.http.response import Response

DEFAULT_API_BASE_URL = "https://api.twilio.com"
DEFAULT_TIMEOUT = 10.0

_logger = logging.getLogger("channels.twilio.http")

_retry_after: ContextVar[float | None] = ContextVar("twilio_retry_after", default=None)


class BaseUrlHttpClient(AsyncHttpClient):
    """An ``AsyncHttpClient`` that sends Twilio's requests to ``base_url``, never without a
    timeout.

    With the default base URL nothing is rewritten, so ``TWILIO_EDGE`` and
    ``TWILIO_REGION`` keep working. Any other base replaces the scheme and host
    of every ``*.twilio.com`` URL and keeps the path (a base may carry a path
    prefix of its own).

    The aiohttp session (its pooled connections) is opened by the first request in an
    event loop and belongs to that loop; a request from another loop opens its own.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_API_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        logger: logging.Logger = _logger,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout!r}")
        super().__init__(logger=logger, is_async=True, timeout=timeout)
        self.base_url = _normalise_base_url(base_url)
        self._rewrites = self.base_url != DEFAULT_API_BASE_URL
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    def rewrite(self, url: str) -> str:
        """``url`` with a Twilio host replaced by the configured base URL."""
        if not self._rewrites:
            return url
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host != "twilio.com" and not host.endswith(".twilio.com"):
            return url
        base = urlsplit(self.base_url)
        path = base.path.rstrip("/") + parts.path
        return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))

    async def request(  # type: ignore[override]  # twilio's AsyncHttpClient does the same
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Send at the rewritten URL; remember this task's ``Retry-After``.

        Raises ``TimeoutError`` when no answer comes within the timeout and
        ``aiohttp.ClientError`` for network trouble (the sender tells them apart)."""
        _retry_after.set(None)
        if auth:
            headers = {**(headers or {}), "Authorization": aiohttp.encode_basic_auth(*auth)}
        async with self._session_now().request(
            method.upper(),
            self.rewrite(url),
            params=_pairs(params),
            data=_pairs(data),
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout if timeout is not None else self.timeout),
            allow_redirects=allow_redirects,
        ) as answer:
            text = await answer.text()
        _retry_after.set(parse_retry_after(answer.headers))
        return Response(answer.status, text, dict(answer.headers))

    def last_retry_after(self) -> float | None:
        """``Retry-After`` of the calling task's last answer, in seconds, if it had one."""
        return _retry_after.get()

    async def close(self) -> None:
        """Release the pooled connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _session_now(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = aiohttp.ClientSession()
            self._session_loop = loop
        return self._session


def _pairs(values: Mapping[str, object] | None) -> list[tuple[str, str]] | None:
    """twilio's params or form values as the pairs aiohttp sends: a list value (several
    MediaUrl, say) is one pair per item, as requests sends it; None is left out."""
    if not values:
        return None
    pairs: list[tuple[str, str]] = []
    for key, value in values.items():
        items = value if isinstance(value, list | tuple) else [value]
        pairs += [(key, str(item)) for item in items if item is not None]
    return pairs


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """The ``Retry-After`` header in seconds: delta-seconds or an HTTP date, never negative."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _normalise_base_url(base_url: str) -> str:
    """Check the base is an absolute http(s) URL and drop a trailing slash."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"TWILIO_API_BASE_URL must be an absolute http(s) URL, not {base_url!r}")
    if parts.query or parts.fragment:
        raise ValueError("TWILIO_API_BASE_URL must not have a query or fragment")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
