"""Long exports as background jobs whose state lives in files, so any process can report it.

A 10,000-card PDF takes long enough that a browser waiting on one request
would give up, and a lead deserves to see that something is happening. The
admin starts the export as an asyncio task in the process that got the request
and writes the file into a job folder under `WTFC_EXPORT_DIR`. The progress is
a small JSON file beside it, rewritten from the writer's `progress` callback:
the app may run several processes on one host, and whichever one answers the
browser's next poll reads the same file.

Each job belongs to the user who started it; nobody else is told it exists.
Files are deleted once downloaded, and any job older than an hour is swept
away, so exported statements do not linger on disk.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from admin.exports.deck import Deck
from admin.exports.formats import write_export

log = logging.getLogger(__name__)

Status = Literal["running", "done", "failed"]
LIFETIME_SECONDS = 60 * 60
"""Jobs (and their files) older than this are deleted, downloaded or not."""
STALE_SECONDS = 10 * 60
"""A running job not heard from for this long is reported as failed: the process
writing it has probably stopped (a restart or a crash)."""
WRITE_EVERY_SECONDS = 0.5
"""Progress is written to disk at most this often (the last update always is)."""
MAX_RUNNING_PER_USER = 3
STATE_FILE = "state.json"
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


@dataclass(frozen=True)
class JobState:
    """What a poll needs to know about one export, as stored in its state file."""

    id: str
    owner: int
    """The user id of whoever started it: the only user who may see or fetch it."""
    programme: str
    format: str
    layout: str
    include_all: bool
    filename: str
    media_type: str
    total: int
    done: int
    status: Status
    created_at: float
    updated_at: float
    error: str | None = None

    @property
    def percent(self) -> int:
        if self.status == "done" or self.total == 0:
            return 100
        return min(100, int(100 * self.done / self.total))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class ExportDirError(RuntimeError):
    """The export folder cannot be used safely (owned by someone else, or not writable)."""


class JobStore:
    """Job folders under one directory: `<root>/<job id>/state.json` and the export file."""

    def __init__(self, root: Path, clock: Callable[[], float] = time.time) -> None:
        self.root = root
        self.clock = clock

    def ensure_root(self) -> None:
        """Create the folder private to this system user; refuse one another user owns.

        The default lives in the shared temporary directory, where another local
        account could have created it first to read what we write.
        """
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = self.root.stat()
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise ExportDirError(f"{self.root} belongs to another user: set WTFC_EXPORT_DIR")

    def create(
        self,
        *,
        owner: int,
        programme: str,
        fmt: str,
        layout: str,
        include_all: bool,
        filename: str,
        media_type: str,
        total: int,
    ) -> JobState:
        self.ensure_root()
        now = self.clock()
        state = JobState(
            id=secrets.token_urlsafe(24),
            owner=owner,
            programme=programme,
            format=fmt,
            layout=layout,
            include_all=include_all,
            filename=filename,
            media_type=media_type,
            total=total,
            done=0,
            status="running",
            created_at=now,
            updated_at=now,
        )
        (self.root / state.id).mkdir(mode=0o700)
        self.save(state)
        return state

    def save(self, state: JobState) -> None:
        """Replace the state file in one step, so a reader never sees half of it."""
        folder = self.root / state.id
        temporary = folder / f".{STATE_FILE}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(state.to_json()), encoding="utf-8")
        os.replace(temporary, folder / STATE_FILE)

    def read(self, job_id: str) -> JobState | None:
        """The job's state, or None if there is no such job (or the id is not one of ours)."""
        if not _JOB_ID.match(job_id):
            return None
        try:
            raw = json.loads((self.root / job_id / STATE_FILE).read_text(encoding="utf-8"))
            state = JobState(**raw)
        except (OSError, ValueError, TypeError):
            return None
        now = self.clock()
        if now - state.created_at > LIFETIME_SECONDS:
            return None
        if state.status == "running" and now - state.updated_at > STALE_SECONDS:
            return replace(state, status="failed", error="The export stopped. Please start again.")
        return state

    def read_for(self, job_id: str, *, owner: int, programme: str) -> JobState | None:
        """The job if this user started it for this programme; otherwise None, as if absent."""
        state = self.read(job_id)
        if state is None or state.owner != owner or state.programme != programme:
            return None
        return state

    def output_path(self, state: JobState) -> Path:
        return self.root / state.id / state.filename

    def delete(self, job_id: str) -> None:
        if _JOB_ID.match(job_id):
            shutil.rmtree(self.root / job_id, ignore_errors=True)

    def running_for(self, owner: int) -> int:
        """How many of this user's exports are still being written."""
        return sum(1 for state in self._all() if state.owner == owner and state.status == "running")

    def sweep(self) -> int:
        """Delete every job folder older than an hour; returns how many went."""
        if not self.root.is_dir():
            return 0
        now = self.clock()
        removed = 0
        for folder in self.root.iterdir():
            if not folder.is_dir() or not _JOB_ID.match(folder.name):
                continue
            try:
                raw = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
                created = float(raw["created_at"])
            except (OSError, ValueError, KeyError, TypeError):
                created = folder.stat().st_mtime  # a job cut off while being created
            if now - created > LIFETIME_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed

    def _all(self) -> list[JobState]:
        if not self.root.is_dir():
            return []
        found = (self.read(folder.name) for folder in self.root.iterdir() if folder.is_dir())
        return [state for state in found if state is not None]


class ProgressWriter:
    """The `progress(done, total)` callback of the format writers, saving to the state file.

    Called from the worker thread after each page; writes at most twice a second
    so a large deck does not spend its time rewriting JSON.
    """

    def __init__(self, store: JobStore, state: JobState) -> None:
        self.store = store
        self.state = state
        self.last_write = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = self.store.clock()
        if done < total and now - self.last_write < WRITE_EVERY_SECONDS:
            return
        self.state = replace(self.state, done=done, total=total, updated_at=now)
        self.store.save(self.state)
        self.last_write = now


async def run_job(store: JobStore, state: JobState, deck: Deck) -> JobState:
    """Write the export in a worker thread (the PDF writers are CPU-bound), then mark it done.

    The file is served only once the state says "done", which is written after
    the file is complete, so a poll never offers half a PDF.
    """
    reporter = ProgressWriter(store, state)
    try:
        await asyncio.to_thread(
            write_export,
            deck,
            state.format,
            store.output_path(state),
            progress=reporter,
            layout=state.layout,
        )
    except Exception:
        log.exception("export %s of %s failed", state.format, state.programme)
        final = replace(
            reporter.state,
            status="failed",
            error="The export could not be made. Please try again, or ask for help.",
            updated_at=store.clock(),
        )
    else:
        final = replace(reporter.state, status="done", done=state.total, updated_at=store.clock())
    try:
        store.save(final)
    except FileNotFoundError:  # swept or expired while it was being written
        log.warning("export job %s was deleted before it finished", state.id)
    return final


_tasks: set[asyncio.Task[JobState]] = set()
"""Running jobs of this process: asyncio keeps only weak references to tasks."""


def start(store: JobStore, state: JobState, deck: Deck) -> asyncio.Task[JobState]:
    """Run the job in this process, and delete its folder an hour after it started.

    The timer covers a file nobody comes back for while this process lives; the
    sweep on each export page and each new job covers a process that restarted.
    """
    loop = asyncio.get_running_loop()
    task = loop.create_task(run_job(store, state, deck), name=f"export-{state.id}")
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    remaining = max(0.0, state.created_at + LIFETIME_SECONDS - store.clock())
    loop.call_later(remaining, store.delete, state.id)
    return task
