"""Wait for aiosqlite's worker threads of a failed connection, instead of sleeping.

A connection that fails to open still hands its close back to the event loop from its
thread; if the test's loop has closed by then, the thread raises "Event loop is closed"
(an unhandled thread exception, an error in this suite). Sleeping a little "to let it
finish" fails on a busy machine: join the threads that the block started instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

WORKER = "(_connection_worker_thread)"
"""How Python names a thread running aiosqlite's worker function."""


@asynccontextmanager
async def aiosqlite_threads_joined(timeout: float = 30) -> AsyncIterator[None]:
    """Run the block, then wait (in this loop) for the aiosqlite threads it started."""
    before = set(threading.enumerate())
    try:
        yield
    finally:
        started = [
            thread
            for thread in threading.enumerate()
            if thread not in before and thread.name.endswith(WORKER)
        ]
        for thread in started:
            await asyncio.to_thread(thread.join, timeout)
