"""CSRF tokens: every form carries the session's token, and every POST must echo it.

Signed-in forms use the token stored with the server-side session (synchroniser
token). The sign-in form, which has no session yet, uses a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData

from admin.web.errors import CsrfError

FIELD = "csrf_token"
LOGIN_COOKIE = "wtfc_login_csrf"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def check(form: FormData, expected: str | None) -> None:
    """Raise CsrfError unless the form's token equals the expected one."""
    sent = form.get(FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfError
