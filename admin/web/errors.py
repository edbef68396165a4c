"""The few ways an admin request is turned away, each carrying what the page needs to say."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError

from admin.web.i18n import N_


def unprocessable(message: str) -> RequestValidationError:
    """A rule the schema cannot express (a code taken, a language the programme lacks): a
    422 in the shape of every other 422 (`detail` a list of errors), as /openapi.json says.
    A plain string detail broke the documented schema (the API fuzzer's finding)."""
    return RequestValidationError(
        [{"loc": ("body",), "msg": message, "type": "value_error", "input": None}]
    )


class LoginRequiredError(Exception):
    """Nobody is signed in (or the session ran out): send them to the sign-in page."""

    def __init__(self, next_path: str = "/admin", expired: bool = False) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.expired = expired


class ForbiddenError(Exception):
    """Signed in, but this role may not do this."""

    def __init__(self, message: str = N_("Your login does not allow this.")) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(Exception):
    """No such thing, or not one this login may see (a lead sees only their programmes)."""

    def __init__(self, message: str = N_("We could not find that.")) -> None:
        super().__init__(message)
        self.message = message


class CsrfError(Exception):
    """A form arrived without the token of the page that showed it."""


class BadFormError(Exception):
    """A form arrived with a value no field can hold (a NUL character): a 400 page."""

    def __init__(self, message: str = "The form held a character we cannot store.") -> None:
        super().__init__(message)
        self.message = message
