"""SQLite through aiosqlite with one thread hop per statement, not four.

aiosqlite runs every call on the connection's own thread and hands the result back
to the event loop. SQLAlchemy's adapter makes four such calls per statement (open a
cursor, execute, fetch the rows, close the cursor), and each hop costs 100-150 µs on
these machines (a thread wake-up each way), while SQLite itself answers a simple
statement in a microsecond or two. A message's ten statements spent most of their
time in hops, holding the process's one SQLite connection meanwhile, and a worker
processing the backlog one message after another could do no more than ~85 a second
(`bench/RESULTS.md`, issue 17).

`OneHopCursor` runs the whole statement (cursor, execute, fetch, close) as one call
on aiosqlite's thread and keeps what the caller may read afterwards (the rows, the
description, the row count, the last row id). Everything else (transactions,
commit, rollback, server-side cursors, errors) is SQLAlchemy's own aiosqlite adapter.
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


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    """One statement from start to finish, on aiosqlite's thread."""
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
            outcome = await_(self._perform_async(operation, parameters, many))
        except Exception as error:
            connection.may_be_in_transaction = True  # unknown: the next rollback is real
            connection._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid, open_after = outcome
        self._rows = collections.deque(rows)
        connection.may_be_in_transaction = open_after

    async def _perform_async(self, operation: str, parameters: Any, many: bool) -> Outcome:
        async with self._adapt_connection._execute_mutex:
            connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
            result: Outcome = await connection._execute(  # type: ignore[no-untyped-call]
                _run, connection._conn, operation, parameters, many
            )
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
    """aiosqlite's connection adapter with `OneHopCursor`, and no hop to roll back when
    no transaction is open.

    The pool rolls back every connection it is handed back ("reset on return"), after
    each commit too: that was one more hop per transaction for nothing. Whether a
    transaction is open is read on aiosqlite's thread after every statement (every
    transaction of ours begins with a statement, BEGIN IMMEDIATE), and assumed when
    a statement failed, so a rollback that could matter is never skipped."""

    __slots__ = ("may_be_in_transaction",)
    _cursor_cls = OneHopCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.may_be_in_transaction = True

    def commit(self) -> None:
        super().commit()
        self.may_be_in_transaction = False

    def rollback(self) -> None:
        if self.may_be_in_transaction:
            super().rollback()
            self.may_be_in_transaction = False


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite module, handing out `OneHopConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def fast_aiosqlite_dbapi() -> OneHopDbapi:
    return OneHopDbapi(aiosqlite, sqlite3)


__all__ = ["OneHopCursor", "fast_aiosqlite_dbapi"]
