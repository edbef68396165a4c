"""Is this request from Twilio? `X-Twilio-Signature`, checked over the URL Twilio called.

Twilio signs the URL it was configured with plus the form fields, using the
account's Auth Token (HMAC-SHA1). Behind a reverse proxy or a tunnel the request
this app sees has another scheme, host or port, so the URL is rebuilt from
`WTFC_PUBLIC_URL` plus the path and the query exactly as they arrived (never
re-encoded: Twilio signs its own bytes). Without a public URL, the request's
own URL is used (direct exposure, local tries).

The check itself is the twilio library's `RequestValidator`; it compares in
constant time and tries the URL with and without the default port.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence

from starlette.requests import Request
from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"


class _FormFields:
    """The form as `RequestValidator` reads it: every value of a repeated field counts."""

    def __init__(self, fields: Mapping[str, Sequence[str]]) -> None:
        self._fields = fields

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def getlist(self, name: str) -> list[str]:
        return list(self._fields[name])


def called_url(request: Request, public_url: str | None) -> str:
    """The URL Twilio requested: the public base URL + path + raw query, or the request URL."""
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    if public_url:
        # The public URL stands for the app's root, wherever the app is mounted.
        root_path = str(request.scope.get("root_path", ""))
        if root_path and path.startswith(root_path):
            path = path[len(root_path) :]
        base = public_url.rstrip("/")
    else:
        base = f"{request.url.scheme}://{request.url.netloc}"
    return base + path + (f"?{query}" if query else "")


@functools.lru_cache(maxsize=4)
def _validator(auth_token: str) -> RequestValidator:
    """One validator per token (building one per request was wasted work)."""
    return RequestValidator(auth_token)  # type: ignore[no-untyped-call]


def is_from_twilio(
    *, auth_token: str, url: str, fields: Mapping[str, Sequence[str]], signature: str | None
) -> bool:
    """True when `signature` is Twilio's signature of `url` and `fields` with `auth_token`."""
    if not signature:
        return False
    validator = _validator(auth_token)
    return bool(validator.validate(url, _FormFields(fields), signature))  # type: ignore[no-untyped-call]
