"""The HTTP client the twilio library sends through: a configurable base URL and a timeout.

twilio builds absolute ``https://api.twilio.com/2010-04-01/...`` URLs itself and
offers no base URL option; what it does offer is a pluggable HTTP client
(``twilio.rest.Client(..., http_client=...)``). Rewriting the host there is the
supported way to point the real library at a local mock (``TWILIO_API_BASE_URL``)
while everything above it (paths, form encoding, auth, error parsing) stays
Twilio's own code.

requests waits forever without a timeout, and one hung connection would stall
the outbox dispatcher, so a timeout is always set.

The twilio library raises errors that keep the status and Twilio's error code
but drop the response headers; the sender needs ``Retry-After`` from a 429, so
the client keeps it per thread for the caller that made the request.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

DEFAULT_API_BASE_URL = "https://api.twilio.com"
DEFAULT_TIMEOUT = 10.0

_logger = logging.getLogger("channels.twilio.http")


class BaseUrlHttpClient(TwilioHttpClient):
    """A ``TwilioHttpClient`` that sends Twilio's requests to ``base_url``, never without a timeout.

    With the default base URL nothing is rewritten, so ``TWILIO_EDGE`` and
    ``TWILIO_REGION`` keep working. Any other base replaces the scheme and host
    of every ``*.twilio.com`` URL and keeps the path (a base may carry a path
    prefix of its own).
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
        super().__init__(pool_connections=True, timeout=timeout, logger=logger)
        self.base_url = _normalise_base_url(base_url)
        self._rewrites = self.base_url != DEFAULT_API_BASE_URL
        self._local = threading.local()

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

    def request(
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
        """Send through requests at the rewritten URL; remember this thread's ``Retry-After``."""
        self._local.retry_after = None
        response: Response = super().request(
            method,
            self.rewrite(url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout if timeout is not None else self.timeout,
            allow_redirects=allow_redirects,
        )
        self._local.retry_after = parse_retry_after(response.headers or {})
        return response

    def last_retry_after(self) -> float | None:
        """Seconds the last response in this thread asked us to wait, if it said so."""
        value: float | None = getattr(self._local, "retry_after", None)
        return value

    def close(self) -> None:
        """Release the pooled connections."""
        if self.session is not None:
            self.session.close()


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
