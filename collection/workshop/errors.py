"""The one error the workshop raises: something the facilitator asked cannot be done."""

from __future__ import annotations


class WorkshopError(Exception):
    """A request that does not fit the workshop (wrong category, unknown pile...).

    `status` is the HTTP status the API answers with: 404 for something that is
    not there, 409 for a state that forbids it (voting closed), 422 otherwise.
    """

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
