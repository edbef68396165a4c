"""Export job folders: state any process can read, owners only, nothing kept past an hour."""

from __future__ import annotations

import asyncio
import json
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from admin.exports.deck import Deck
from admin.exports.jobs import (
    LIFETIME_SECONDS,
    STALE_SECONDS,
    STATE_FILE,
    JobState,
    JobStore,
    ProgressWriter,
    start,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _job(
    store: JobStore, owner: int = 1, programme: str = "PARK", total: int = 80, fmt: str = "cards"
) -> JobState:
    return store.create(
        owner=owner,
        programme=programme,
        fmt=fmt,
        layout="2x4",
        include_all=False,
        filename=f"park-{fmt}-picks.{'pdf' if fmt == 'cards' else fmt}",
        media_type="application/pdf",
        total=total,
    )


def test_state_is_a_file_another_process_can_read(tmp_path: Path) -> None:
    """A second store on the same folder (another app process) reads the same progress."""
    clock = FakeClock()
    here = JobStore(tmp_path / "exports", clock)
    state = _job(here)
    writer = ProgressWriter(here, state)
    writer(8, 80)
    there = JobStore(tmp_path / "exports", clock)
    seen = there.read(state.id)
    assert seen is not None and seen.done == 8 and seen.percent == 10
    raw = json.loads((tmp_path / "exports" / state.id / STATE_FILE).read_text())
    assert raw["owner"] == 1 and raw["status"] == "running"


def test_progress_is_written_at_most_twice_a_second_but_always_at_the_end(tmp_path: Path) -> None:
    clock = FakeClock()
    store = JobStore(tmp_path, clock)
    state = _job(store)
    writer = ProgressWriter(store, state)
    writer(8, 80)
    writer(16, 80)  # same instant: skipped
    assert store.read(state.id).done == 8  # type: ignore[union-attr]
    writer(80, 80)  # the last page is always written
    assert store.read(state.id).done == 80  # type: ignore[union-attr]


def test_only_the_owner_of_this_programme_gets_the_job(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    state = _job(store, owner=7)
    assert store.read_for(state.id, owner=7, programme="PARK") is not None
    assert store.read_for(state.id, owner=8, programme="PARK") is None
    assert store.read_for(state.id, owner=7, programme="OTHER") is None


def test_ids_that_are_not_ours_are_refused(tmp_path: Path) -> None:
    """No path tricks: an id must look like the ones we make."""
    store = JobStore(tmp_path / "exports")
    _job(store)
    (tmp_path / STATE_FILE).write_text("{}")
    for bad in ("..", "../exports", "", "a/b", "x" * 100):
        assert store.read(bad) is None
    store.delete("..")
    assert (tmp_path / "exports").is_dir()


def test_jobs_older_than_an_hour_are_swept_and_forgotten(tmp_path: Path) -> None:
    clock = FakeClock()
    store = JobStore(tmp_path, clock)
    old = _job(store)
    clock.now += LIFETIME_SECONDS - 60
    young = _job(store)
    clock.now += 120
    assert store.read(old.id) is None  # too old to offer, even before the sweep
    assert store.sweep() == 1
    assert not (tmp_path / old.id).exists()
    assert (tmp_path / young.id).is_dir()


def test_a_job_nobody_updates_is_reported_as_failed(tmp_path: Path) -> None:
    """The process writing it was restarted: say so rather than spin for ever."""
    clock = FakeClock()
    store = JobStore(tmp_path, clock)
    state = _job(store)
    clock.now += STALE_SECONDS + 1
    seen = store.read(state.id)
    assert seen is not None and seen.status == "failed" and seen.error
    assert store.running_for(1) == 0


def test_running_jobs_are_counted_per_user(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    _job(store, owner=1)
    _job(store, owner=1)
    _job(store, owner=2)
    assert store.running_for(1) == 2 and store.running_for(2) == 1 and store.running_for(3) == 0


def test_the_folders_are_private(tmp_path: Path) -> None:
    """Exports hold people's words: the folder and each job folder are for this user only."""
    store = JobStore(tmp_path / "exports")
    state = _job(store)
    for folder in (tmp_path / "exports", tmp_path / "exports" / state.id):
        assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0


def test_a_broken_state_file_is_no_job(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    state = _job(store)
    (tmp_path / state.id / STATE_FILE).write_text("{not json")
    assert store.read(state.id) is None
    payload: dict[str, Any] = {"id": state.id}
    (tmp_path / state.id / STATE_FILE).write_text(json.dumps(payload))
    assert store.read(state.id) is None


async def test_a_file_nobody_fetches_is_deleted_after_an_hour(tmp_path: Path) -> None:
    """The process that made it deletes it an hour after it started, page visits or not."""
    clock = FakeClock()
    store = JobStore(tmp_path, clock)
    early, late = _job(store, total=0, fmt="csv"), _job(store, total=0, fmt="csv")
    deleted, delete = asyncio.Event(), store.delete

    def delete_and_tell(job_id: str) -> None:
        delete(job_id)
        deleted.set()

    store.delete = delete_and_tell  # type: ignore[method-assign]
    deck = Deck("PARK", "Park", "", "#1f6fb2", 1, datetime.now(UTC), include_all=False)
    finished = await start(store, early, deck)
    assert finished.status == "done" and store.output_path(early).is_file()
    clock.now = late.created_at + LIFETIME_SECONDS - 0.2  # it took almost an hour to start
    assert (await start(store, late, deck)).status == "done"
    assert store.output_path(late).is_file()
    await asyncio.wait_for(deleted.wait(), timeout=30)  # its hour ends 0.2 s from now
    assert not (tmp_path / late.id).exists()
    assert store.output_path(early).is_file()  # its hour is still to come in real time
