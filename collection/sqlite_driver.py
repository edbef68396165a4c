"""SQLite through aiosqlite, with most statements run on the event loop's own thread.

aiosqlite runs every call on the connection's own thread and hands the result back
to the event loop. SQLAlchemy's adapter makes four such calls per statement (open a
cursor, execute, fetch the rows, close the cursor), and each hop costs 100-150 µs on
these machines (a thread wake-up each way), while SQLite itself answers a simple
statement in a microsecond or two. Under load it costs more: the thread needs the
GIL back from a busy event loop, which may hold it for the whole switch interval
(5 ms). A message's ten statements spent most of their time in hops, holding the
process's one SQLite connection meanwhile (`bench/RESULTS.md`, issue 17).

`OneHopCursor` runs the whole statement (cursor, execute, fetch, close) as one call
and keeps what the caller may read afterwards (the rows, the description, the row
count, the last row id). Where it runs:

- **Here, on the event loop's thread**, with no hop at all, when this connection
  holds the write lock: inside a transaction (every transaction of ours begins with
  BEGIN IMMEDIATE), where SQLite never waits for another process in WAL mode, and
  the statement takes the time SQLite takes. So do COMMIT and ROLLBACK. BEGIN
  IMMEDIATE itself is tried here without waiting for the lock.
- **On aiosqlite's thread**, as before, when it might wait: BEGIN IMMEDIATE while
  another process holds the lock (SQLite's busy wait, up to 30 s, must not stop the
  event loop), anything outside a transaction (the checkpoint and VACUUM after an
  erasure), and whenever a call is still under way there (a store given up on).

One process has one SQLite connection (`collection.db`), so nothing else of ours
waits meanwhile: a statement run here blocks the loop only as long as the
connection would have been busy anyway. A long statement (an export of a big
programme) now holds the loop for its milliseconds instead.

`fast_aiosqlite_dbapi()` is the module handed to `create_async_engine(module=...)`.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any, cast

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

Outcome = tuple[Any, list[Any], int, int | None, bool]
"""What one statement leaves: description, rows, rowcount, lastrowid, and whether a
transaction is open after it."""


BEGIN = "BEGIN IMMEDIATE"
WAIT_MS = 30_000
"""How long a statement on aiosqlite's thread waits for another process's lock."""


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    """One statement from start to finish."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid, connection.in_transaction
    finally:
        cursor.close()


async def _done() -> None:
    """Nothing to wait for."""


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statements each cross to aiosqlite's thread once."""

    __slots__ = ("_description", "_lastrowid", "_rowcount", "arraysize")

    def __init__(self, adapt_connection: AsyncAdapt_dbapi_connection) -> None:
        # No aiosqlite cursor is opened: `_run` opens and closes its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self.arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int | None:  # type: ignore[override]
        return self._lastrowid

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._perform(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._perform(operation, seq_of_parameters, many=True)

    def _perform(self, operation: str, parameters: Any, *, many: bool) -> None:
        connection = cast(OneHopConnection, self._adapt_connection)  # its `_cursor_cls`
        try:
            outcome = connection.run_here(operation, parameters, many)
            if outcome is None:
                outcome = await_(self._perform_async(operation, parameters, many))
            else:
                # SQLAlchemy's AsyncConnection checks that a statement awaited something
                # (a guard against sync drivers): a coroutine that returns at once,
                # a switch of greenlets and back, not a turn of the event loop.
                await_(_done())
        except Exception as error:
            connection.may_be_in_transaction = True  # unknown: the next rollback is real
            connection._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid, open_after = outcome
        self._rows = collections.deque(rows)
        connection.may_be_in_transaction = open_after

    async def _perform_async(self, operation: str, parameters: Any, many: bool) -> Outcome:
        adapted = cast(OneHopConnection, self._adapt_connection)
        async with adapted._execute_mutex:
            result: Outcome = await adapted.on_thread(_run, operation, parameters, many)
            return result

    async def _async_soft_close(self) -> None:
        """Nothing to close: the statement's cursor was closed on the thread."""

    def close(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        """SQLite takes no input sizes."""

    def nextset(self) -> None:
        """SQLite returns one result set per statement."""


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's connection adapter with `OneHopCursor`, running what cannot wait on
    the event loop's thread (see the module's docstring), and with no rollback when no
    transaction is open.

    The pool rolls back every connection it is handed back ("reset on return"), after
    each commit too: that was one more hop per transaction for nothing. Whether a
    transaction is open is read after every statement (every transaction of ours
    begins with a statement, BEGIN IMMEDIATE), and assumed when a statement failed,
    so a rollback that could matter is never skipped."""

    __slots__ = ("finished_there", "handed_over", "may_be_in_transaction")
    _cursor_cls = OneHopCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.may_be_in_transaction = True
        self.handed_over = 0
        """Calls handed to aiosqlite's thread (counted here only)."""
        self.finished_there = 0
        """Of those, the ones that ended (counted on that thread only). Until all have,
        nothing runs here: one may run on after its caller was cancelled."""

    @property
    def busy_on_thread(self) -> bool:
        return self.handed_over != self.finished_there

    @property
    def _raw(self) -> sqlite3.Connection:
        raw: sqlite3.Connection = self._connection._conn
        return raw

    def run_here(self, operation: str, parameters: Any, many: bool) -> Outcome | None:
        """The statement run on this thread, or None when it must go to aiosqlite's."""
        if self.busy_on_thread:
            return None
        raw = self._raw
        if raw.in_transaction:  # this connection holds the write lock: nothing to wait for
            return _run(raw, operation, parameters, many)
        if operation != BEGIN:
            return None  # outside a transaction it might wait (a checkpoint, VACUUM)
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            return _run(raw, operation, parameters, many)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                return None  # another process holds the lock: wait for it on the thread
            raise
        finally:
            raw.execute(f"PRAGMA busy_timeout = {WAIT_MS}")

    async def on_thread(self, function: Any, *args: Any) -> Any:
        """`function(raw connection, *args)` on aiosqlite's thread."""
        self.handed_over += 1
        thread = cast(aiosqlite.Connection, self._connection)
        return await thread._execute(_counted, self, function, self._raw, *args)  # type: ignore[no-untyped-call]

    def commit(self) -> None:
        if not self.busy_on_thread and self._raw.in_transaction:
            try:
                self._raw.commit()  # WAL: a commit does not wait for other processes
            except Exception as error:
                self.may_be_in_transaction = True
                self._handle_exception(error)
        else:
            super().commit()
        self.may_be_in_transaction = False

    def rollback(self) -> None:
        if not self.may_be_in_transaction:
            return
        if not self.busy_on_thread:
            try:
                self._raw.rollback()
            except Exception as error:
                self._handle_exception(error)
        else:
            super().rollback()
        self.may_be_in_transaction = False


def _counted(connection: OneHopConnection, function: Any, *args: Any) -> Any:
    """Run on aiosqlite's thread; counted as finished when it ends there, not when its
    caller stops waiting."""
    try:
        return function(*args)
    finally:
        connection.finished_there += 1


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite module, handing out `OneHopConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def fast_aiosqlite_dbapi() -> OneHopDbapi:
    return OneHopDbapi(aiosqlite, sqlite3)


__all__ = ["OneHopCursor", "fast_aiosqlite_dbapi"]
