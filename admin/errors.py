"""The few ways an admin request is turned away, each carrying what the page needs to say."""

from __future__ import annotations

from admin.i18n import N_


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
