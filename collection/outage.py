"""The one outage policy: is this exception the database not answering, or our own fault?

Every entry point asks `diagnose` and acts on the answer the same way:

- an **outage** (the database refused or dropped the connection, the pool or a lock
  timed out, PostgreSQL is shutting down or full, SQLite is locked or its disk
  failed): nothing was committed, so trying again later is right. Web answers are
  503 with `Retry-After` (Twilio and Telegram then send the message again); loops
  back off. The log line says `kind` only, never the message or who sent it.
- a **refused value** (PostgreSQL's class 22, SQLAlchemy's DataError, an integer
  too large for a column): the request carried something that cannot be stored, so
  a 422, never a 500 and never a retried 503 that could not succeed.
- a **bug** (an IntegrityError, a ProgrammingError, any other exception): a retry
  gives the same error, so web answers are 500 with one exception log line, and a
  background loop records the failure and moves on instead of trying the same row
  again and again.

Only types and codes are read (SQLSTATE, SQLite's error code, errno), never the
message text, so the answer does not change with the server's language. Pure
policy: no web framework here, so channels/, admin/ and wtfc/ all use it.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.exc import DataError, DisconnectionError, IntegrityError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

RETRY_AFTER_SECONDS = 5
"""What a 503 tells the caller to wait: a restart or a failover takes seconds."""

DEADLINE_SECONDS = 10.0
"""How long an entry point lets the database take before answering 503 (Twilio gives up
at 15 s); an `asyncio.timeout` around the work raises the TimeoutError seen here."""


class Verdict(StrEnum):
    OUTAGE = "outage"
    REFUSED_VALUE = "refused_value"
    BUG = "bug"


@dataclass(frozen=True)
class Diagnosis:
    """What went wrong, in words safe to log (no message text, no personal data)."""

    verdict: Verdict
    kind: str
    """A short name: `refused`, `dropped`, `pool_timeout`, `locked`... or the bug's type."""

    @property
    def is_outage(self) -> bool:
        return self.verdict is Verdict.OUTAGE

    @property
    def status_code(self) -> int:
        """The HTTP status an entry point answers with."""
        return {Verdict.OUTAGE: 503, Verdict.REFUSED_VALUE: 422, Verdict.BUG: 500}[self.verdict]

    @property
    def headers(self) -> dict[str, str]:
        """`Retry-After` on an outage (Twilio, Telegram and browsers wait that long)."""
        return {"Retry-After": str(RETRY_AFTER_SECONDS)} if self.is_outage else {}


OUTAGE_SQLSTATES = {
    "57P01": "shutdown",  # admin_shutdown: the server is stopping
    "57P02": "shutdown",  # crash_shutdown
    "57P03": "starting",  # cannot_connect_now: starting up or in recovery
    "53300": "too_many_connections",
    "53000": "resources",  # insufficient_resources
    "53100": "disk_full",
    "53200": "out_of_memory",
    "57014": "statement_timeout",  # query_canceled (statement_timeout)
    "55P03": "lock_timeout",  # lock_not_available (lock_timeout, NOWAIT)
    "40001": "serialization",  # a concurrent transaction won: it succeeds next time
    "40P01": "deadlock",
}
"""PostgreSQL SQLSTATEs (besides class 08, connection exceptions) a retry can get past."""

OUTAGE_SQLITE_CODES = {
    sqlite3.SQLITE_BUSY: "locked",  # "database is locked": another writer holds it
    sqlite3.SQLITE_LOCKED: "locked",
    sqlite3.SQLITE_IOERR: "disk_io",
    sqlite3.SQLITE_FULL: "disk_full",
    sqlite3.SQLITE_CANTOPEN: "unopenable",  # the file or its directory is not there now
    sqlite3.SQLITE_PROTOCOL: "locked",
}
"""SQLite's primary result codes for a database that cannot be used right now."""

CONNECTION_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.EHOSTDOWN,
        errno.EADDRNOTAVAIL,
    }
)
"""errno values of a socket to the database that failed (asyncpg raises them bare)."""

ASYNCIO_MANY_ADDRESSES = "Multiple exceptions: "
"""How asyncio says that every address of a host refused a connection, each differently
(say ::1 and 127.0.0.1): an OSError with no errno, recognised by this prefix asyncio writes.
"""

CHAIN_LIMIT = 8


def diagnose(error: BaseException) -> Diagnosis:
    """Classify `error`: an outage, a value the database refused, or a bug.

    The error, its DBAPI original (`orig`) and its explicit causes (`raise ... from`,
    how SQLAlchemy and its drivers wrap) are read in turn, so asyncpg's
    AdminShutdownError behind SQLAlchemy's DBAPIError still counts. An implicit
    context (an error raised while handling another) is not followed: that is a new
    error of its own.
    """
    if isinstance(error, IntegrityError):
        return Diagnosis(Verdict.BUG, "integrity")  # our code broke a constraint
    for link in _chain(error):
        kind = _outage_kind(link)
        if kind is not None:
            return Diagnosis(Verdict.OUTAGE, kind)
    if isinstance(error, DataError | OverflowError) or any(
        _sqlstate(link).startswith("22") for link in _chain(error)
    ):
        return Diagnosis(Verdict.REFUSED_VALUE, "refused_value")
    return Diagnosis(Verdict.BUG, type(error).__name__)


def is_outage(error: BaseException) -> bool:
    """Whether `error` means the database is not answering (see `diagnose`)."""
    return diagnose(error).is_outage


def report(error: BaseException, log: logging.Logger, where: str) -> Diagnosis:
    """Diagnose `error` and write its one log line; the caller then acts on the diagnosis.

    An outage is a warning naming its kind (no traceback: nothing in our code to fix);
    a refused value is an info line; a bug is an error with its traceback, the SQL
    statement's parameters left out (they may hold a message someone typed).
    """
    diagnosis = diagnose(error)
    if diagnosis.verdict is Verdict.OUTAGE:
        log.warning("%s: database unavailable (%s)", where, diagnosis.kind)
    elif diagnosis.verdict is Verdict.REFUSED_VALUE:
        log.info("%s: refused a value the database cannot store", where)
    else:
        for link in _chain(error):
            if isinstance(link, StatementError):
                link.hide_parameters = True
        log.error("%s failed: %s", where, diagnosis.kind, exc_info=error)
    return diagnosis


def _chain(error: BaseException) -> list[BaseException]:
    """`error`, then what it wraps (`orig`, `__cause__`), a few links deep at most."""
    links: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in links and len(links) < CHAIN_LIMIT:
        links.append(current)
        original = getattr(current, "orig", None)
        current = original if isinstance(original, BaseException) else current.__cause__
    return links


def _sqlstate(error: BaseException) -> str:
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return state if isinstance(state, str) else ""


def _outage_kind(error: BaseException) -> str | None:
    """The kind of outage this one exception shows, or None."""
    if isinstance(error, PoolTimeoutError):
        return "pool_timeout"  # every connection is in use and none came back in time
    if isinstance(error, DisconnectionError) or getattr(error, "connection_invalidated", False):
        return "dropped"
    if isinstance(error, TimeoutError):
        return "deadline"  # no answer within an entry point's `asyncio.timeout`
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, ConnectionError):
        return "dropped"  # reset, aborted, broken pipe
    if isinstance(error, OSError) and (
        error.errno in CONNECTION_ERRNOS
        or (error.errno is None and str(error).startswith(ASYNCIO_MANY_ADDRESSES))
    ):
        return "unreachable"
    state = _sqlstate(error)
    if state.startswith("08"):
        return "dropped" if state in {"08003", "08006"} else "refused"
    if state in OUTAGE_SQLSTATES:
        return OUTAGE_SQLSTATES[state]
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(error, sqlite3.Error) and isinstance(code, int):
        return OUTAGE_SQLITE_CODES.get(code & 0xFF)  # extended codes keep the primary in 8 bits
    return None


__all__ = [
    "DEADLINE_SECONDS",
    "RETRY_AFTER_SECONDS",
    "Diagnosis",
    "Verdict",
    "diagnose",
    "is_outage",
    "report",
]
