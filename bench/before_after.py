"""Whole conversations, this checkout against an earlier commit, run in turns on one machine.

One `bench.inbound` run measures each figure once, and on these shared 2-core machines
the whole-conversation rate moves by a tenth or more from one run to the next. To say
whether a change helped, this serves the product of each checkout in turn (the earlier
one from a temporary `git worktree`), `--pairs` times, on a fresh database each time:

1. 48 senders in a closed loop for 8 s with the default 300 ms budget, then wait until
   every message is processed (`processed a second`) and until every reply has reached
   the Twilio mock (`replies sent a second`: what the person sees);
2. the baseline route at saturation, for the ratio;
3. an open loop at `--rate` messages a second for 8 s: answered a second, p50 and p99.

    .venv/bin/python -m bench.before_after --before 59ee5a0 [--database postgresql]

The load generator, the Twilio mock and this script are this checkout's; only the
server (its code and migrations) changes sides. Appends a table to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.inbound import (
    BASELINE,
    PRODUCT,
    drain,
    drop_database,
    env_for,
    free_port,
    fresh_database,
    prepare,
    query,
    run_load,
    start_server,
    stop_server,
)
from bench.results import append, table
from bench.twilio_mock import TwilioMock

ROOT = Path(__file__).resolve().parents[1]


def measure(root: Path, kind: str, rate: float, mock: TwilioMock) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(kind, Path(tmp))
        port = free_port()
        env = {**env_for(url, port, mock, 300), "PYTHONPATH": str(root)}
        try:
            prepare(env, root)
            server = start_server(env, port, 1, root)
            started = time.monotonic()
            run_load(port, PRODUCT, 0, 8.0, 3, server)
            drain(url, 300, replies=False)
            processing = time.monotonic() - started
            done = int(query(url, "SELECT count(*) FROM inbound_log WHERE status = 'done'")[0][0])
            drain(url, 300)
            sending = time.monotonic() - started
            baseline, _ = run_load(port, BASELINE, 0, 8.0, 2, server)
            offered, _ = run_load(port, PRODUCT, rate, 8.0, 12, server)
            drain(url, 300)
            stop_server(server, f"{root.name}, {kind}")
        finally:
            drop_database(url)
    return {
        "processed": done / processing,
        "sent": done / sending,
        "baseline": float(baseline["achieved"]),
        "answered": float(offered["achieved"]),
        "p50": float(offered["p50_ms"]),
        "p99": float(offered["p99_ms"]),
    }


def row(label: str, runs: list[dict[str, float]], rate: float) -> list[str]:
    def each(key: str, digits: int = 0) -> str:
        return ", ".join(f"{run[key]:.{digits}f}" for run in runs)

    ratio = [run["processed"] / run["baseline"] for run in runs]
    sent_ratio = [run["sent"] / run["baseline"] for run in runs]
    return [
        label,
        each("processed"),
        each("sent"),
        each("baseline"),
        f"{statistics.median(ratio):.2f} / {statistics.median(sent_ratio):.2f}",
        f"{each('answered')} (p99 ms {each('p99')})",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="the earlier commit")
    parser.add_argument("--database", default="postgresql", choices=["sqlite", "postgresql"])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=100.0)
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        before_root = Path(tmp) / "before"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(before_root), args.before],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
            with TwilioMock() as mock:
                for _ in range(args.pairs):
                    for side, root in (("before", before_root), ("after", ROOT)):
                        runs[side].append(measure(root, args.database, args.rate, mock))
                        print(side, runs[side][-1], flush=True)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(before_root)], cwd=ROOT, check=False
            )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    body = (
        f"`.venv/bin/python -m bench.before_after --before {args.before} --database "
        f"{args.database} --pairs {args.pairs} --rate {args.rate:.0f}`, after = {commit}; "
        f"load average at start {load_at_start:.1f}. Runs in turns, one value per run.\n\n"
        + table(
            [
                "side",
                "processed a second",
                "replies sent a second",
                "baseline a second",
                "median ratio processed / sent",
                f"answered a second at {args.rate:.0f} offered",
            ],
            [
                row(f"before ({args.before})", runs["before"], args.rate),
                row(f"after ({commit})", runs["after"], args.rate),
            ],
        )
    )
    append(f"Whole conversations before and after, in turns ({args.database})", body)


if __name__ == "__main__":
    main()
