"""Another worker holding the database, so storing a message has to wait for it.

On SQLite a second connection holds the write lock (BEGIN IMMEDIATE, as every
transaction of ours begins); on PostgreSQL a transaction holds the inbound log in
EXCLUSIVE mode, so an INSERT waits. Both are released when the block ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from collection.db import create_engine, is_sqlite


@asynccontextmanager
async def holding_the_database(url: str) -> AsyncIterator[None]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.begin()
            if is_sqlite(url):
                await connection.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock
            else:
                await connection.execute(text("LOCK TABLE inbound_log IN EXCLUSIVE MODE"))
            try:
                yield
            finally:
                await connection.rollback()
    finally:
        await engine.dispose()
