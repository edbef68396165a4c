"""Inbound throughput and latency: our webhook against the baseline, side by side in one run.

For each setup (SQLite and PostgreSQL, one process) it starts
`uvicorn bench.server_app:app` (the product plus the baseline route) on a fresh
database, with Twilio's REST API replaced by a fast local mock, and measures:

1. accept throughput at saturation (WTFC_INLINE_BUDGET_MS=0: the webhook only stores),
   ours against the baseline (check the signature, insert, commit);
2. whole-conversation throughput at saturation with the default budget: messages
   processed (step run, replies stored or queued) a second, from the first until
   none is pending, against the baseline's saturation rate;
3. latency against offered rate (open loop), ours and the baseline, drawn in
   bench/inbound-latency.png;
4. bursts at 2x and 4x our whole-conversation saturation rate: every message stored
   once, the slowest webhook answer, how long after the burst every reply was sent,
   and whether each person's replies reached Twilio in order.

    .venv/bin/python -m bench.inbound [--quick] [--burst-seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.results import RESULTS, append, table
from bench.twilio_mock import TwilioMock

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-auth-token"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PRODUCT = "/webhooks/twilio/messages"
BASELINE = "/bench/baseline"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn workers), in MiB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def fresh_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    name = f"wtfc_bench_{os.getpid()}_{int(time.time())}"
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        name = url.rsplit("/", 1)[1]
        subprocess.run(
            ["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False
        )


def prepare(env: dict[str, str], root: Path = ROOT) -> None:
    """Migrate with `root`'s migrations, add the programme and the baseline's table."""
    for command in (
        ["db", "upgrade"],
        ["programme", "create", "--name", "Bench", "--code", "BENCH"],
    ):
        subprocess.run(
            [sys.executable, "-m", "wtfc.cli", *command],
            env=env,
            cwd=root,
            check=True,
            capture_output=True,
        )
    code = (
        "import asyncio, os; from collection.db import create_engine; "
        "from bench.baseline import create_baseline_table; "
        "asyncio.run(create_baseline_table(create_engine(os.environ['WTFC_DATABASE_URL'])))"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=root, check=True)


def start_server(
    env: dict[str, str], port: int, workers: int, root: Path = ROOT
) -> subprocess.Popen[bytes]:
    """`root`'s product (`bench.server_app`) under uvicorn, once it answers /healthz."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.server_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=root,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.kill()
    raise RuntimeError("server did not start")


SLOW_STOPS: list[str] = []
"""Servers that did not stop within `STOP_SECONDS` of SIGTERM (reported with the run)."""
STOP_SECONDS = 60


def stop_server(server: subprocess.Popen[bytes], after: str) -> None:
    """SIGTERM, then SIGKILL if it has not stopped within `STOP_SECONDS`.

    A server that hangs on the way out is a finding, not a reason to lose the run: its
    stacks go to stderr (with py-spy, if it is on PATH), and the run's report says so."""
    server.terminate()
    try:
        server.wait(timeout=STOP_SECONDS)
        return
    except subprocess.TimeoutExpired:
        pass
    spy = shutil.which("py-spy")
    if spy:
        subprocess.run([spy, "dump", "--pid", str(server.pid)], check=False)
    server.kill()
    server.wait()
    SLOW_STOPS.append(after)
    print(f"server did not stop within {STOP_SECONDS} s of SIGTERM after {after}", file=sys.stderr)


def run_load(
    port: int,
    path: str,
    rate: float,
    duration: float,
    seed: int,
    server: subprocess.Popen[bytes],
    workers: int = 48,
) -> tuple[dict[str, Any], float]:
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--base",
        f"http://127.0.0.1:{port}",
        "--path",
        path,
        "--token",
        TOKEN,
        "--rate",
        str(rate),
        "--duration",
        str(duration),
        "--seed",
        str(seed),
        "--workers",
        str(workers),
    ]
    load = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT)
    peak = 0.0
    while load.poll() is None:
        peak = max(peak, rss_mib(server.pid))
        time.sleep(0.25)
    output = load.stdout.read() if load.stdout else b""
    return json.loads(output), peak


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of one query, read beside the server (sqlite3 or psql), for the checks."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split("///", 1)[1], timeout=30) as connection:
            return list(connection.execute(sql).fetchall())
    name = url.rsplit("/", 1)[1]
    out = subprocess.run(
        ["psql", f"postgresql://postgres@127.0.0.1:5432/{name}", "-tAF", "|", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [tuple(line.split("|")) for line in out.splitlines() if line]


def backlog(url: str, replies: bool = True) -> int:
    """Messages not yet processed, plus (with `replies`) replies not yet sent."""
    pending = query(url, "SELECT count(*) FROM inbound_log WHERE status = 'pending'")[0][0]
    if not replies:
        return int(pending)
    waiting = query(url, "SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')")[0][0]
    return int(pending) + int(waiting)


def drain(url: str, limit: float, replies: bool = True) -> float | None:
    """Seconds until nothing is pending (nor, with `replies`, waiting to be sent)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if backlog(url, replies) == 0:
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def out_of_order(url: str) -> int:
    """People whose replies reached Twilio in another order than they were queued.

    The mock gives SIDs in arrival order; per person, the outbox rows in id order must
    carry increasing SIDs."""
    rows = query(
        url,
        "SELECT participant_id, provider_id FROM outbox WHERE status = 'sent' "
        "ORDER BY participant_id, id",
    )
    last: dict[str, int] = {}
    wrong: set[str] = set()
    for participant, sid in rows:
        number = int(str(sid)[2:])
        if number < last.get(str(participant), -1):
            wrong.add(str(participant))
        last[str(participant)] = number
    return len(wrong)


def stored(url: str) -> tuple[int, int]:
    rows = query(url, "SELECT count(*), count(DISTINCT external_id) FROM inbound_log")
    return int(rows[0][0]), int(rows[0][1])


def env_for(url: str, port: int, mock: TwilioMock, budget_ms: int) -> dict[str, str]:
    return {
        **os.environ,
        "WTFC_DATABASE_URL": url,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_FROM": "+447700900000",
        "TWILIO_API_BASE_URL": mock.base_url,
        "TWILIO_MPS": "2000",
        "WTFC_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "WTFC_SECRET_KEY": "bench-secret-key-not-for-real-use-0123456789",
        "WTFC_INLINE_BUDGET_MS": str(budget_ms),
        "PYTHONPATH": str(ROOT),
    }


def errors_by_status(result: dict[str, Any]) -> str:
    """The load generator's errors and what they were: "2 (503: 2)"; 0 is a time-out or
    a refused connection (nothing came back)."""
    statuses = {
        int(code): count for code, count in result.get("statuses", {}).items() if code != "200"
    }
    if not result["errors"]:
        return "0"
    detail = ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items()))
    return f"{result['errors']} ({detail})"


def met(goal: bool) -> str:
    return "yes" if goal else "**no**"


def lat(result: dict[str, Any]) -> str:
    return f"{result['p50_ms']:.0f} / {result['p99_ms']:.0f} / {result['max_ms']:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="short runs, for a smoke test")
    parser.add_argument("--setups", default="sqlite:1,postgresql:1")
    parser.add_argument("--burst-seconds", type=float, default=60.0)
    parser.add_argument("--drain-limit", type=float, default=120.0)
    args = parser.parse_args()
    duration = 3.0 if args.quick else 8.0
    burst = 5.0 if args.quick else args.burst_seconds
    rates = [25.0, 50.0, 100.0, 200.0]
    load_at_start = os.getloadavg()
    sweep_rows: list[list[str]] = []
    goal_rows: list[list[str]] = []
    burst_rows: list[list[str]] = []
    issue_rows: list[list[str]] = []
    curves: dict[str, dict[str, list[tuple[float, float, float]]]] = {}
    with TwilioMock() as mock:
        for setup in args.setups.split(","):
            kind, workers = setup.split(":")
            label = f"{kind} x{workers}"
            curve = curves.setdefault(label, {"ours": [], "baseline": []})
            with tempfile.TemporaryDirectory() as tmp:
                url = fresh_database(kind, Path(tmp))
                port = free_port()
                try:
                    prepare(env_for(url, port, mock, 300))
                    # 1. Accept only (budget 0: the answer never waits for the step).
                    server = start_server(env_for(url, port, mock, 0), port, int(workers))
                    accept, _ = run_load(port, PRODUCT, 0, duration, 1, server)
                    base_sat, _ = run_load(port, BASELINE, 0, duration, 2, server)
                    drain(url, args.drain_limit)
                    stop_server(server, f"{label}: accept")
                    # 2. Whole conversation and the sweep, with the default budget.
                    server = start_server(env_for(url, port, mock, 300), port, int(workers))
                    before = time.monotonic()
                    done_before = int(
                        query(url, "SELECT count(*) FROM inbound_log WHERE status = 'done'")[0][0]
                    )
                    run_load(port, PRODUCT, 0, duration, 3, server)
                    drain(url, args.drain_limit, replies=False)  # every step run
                    processed = (
                        int(
                            query(url, "SELECT count(*) FROM inbound_log WHERE status = 'done'")[0][
                                0
                            ]
                        )
                        - done_before
                    )
                    whole_rate = processed / (time.monotonic() - before)
                    drain(url, args.drain_limit)
                    base_whole = float(base_sat["achieved"])
                    goal_rows.append(
                        [
                            label,
                            f"{accept['achieved']:.0f}",
                            f"{base_whole:.0f}",
                            f"{accept['achieved'] / base_whole:.2f}",
                            f"{whole_rate:.0f}",
                            f"{whole_rate / base_whole:.2f}",
                            lat(accept),
                            lat(base_sat),
                        ]
                    )
                    print(goal_rows[-1], flush=True)
                    accept_ratio = accept["achieved"] / base_whole
                    whole_ratio = whole_rate / base_whole
                    issue_rows.append(
                        [
                            label,
                            "accept ratio >= 0.8",
                            f"{accept_ratio:.2f}",
                            met(accept_ratio >= 0.8),
                        ]
                    )
                    issue_rows.append(
                        [
                            label,
                            "whole-conversation ratio >= 0.7",
                            f"{whole_ratio:.2f}",
                            met(whole_ratio >= 0.7),
                        ]
                    )
                    for index, rate in enumerate(rates):
                        ours, _ = run_load(port, PRODUCT, rate, duration, 10 + index, server)
                        drain(url, args.drain_limit)
                        base, _ = run_load(port, BASELINE, rate, duration, 20 + index, server)
                        curve["ours"].append((rate, ours["p50_ms"], ours["p99_ms"]))
                        curve["baseline"].append((rate, base["p50_ms"], base["p99_ms"]))
                        sweep_rows.append(
                            [
                                label,
                                f"{rate:.0f}",
                                f"{ours['achieved']:.0f}",
                                f"{base['achieved']:.0f}",
                                lat(ours),
                                lat(base),
                                f"{ours['errors']} / {base['errors']}",
                            ]
                        )
                        print(sweep_rows[-1], flush=True)
                    # 3. Bursts at 2x and 4x the whole-conversation saturation rate.
                    for factor in (2, 4):
                        rate = round(whole_rate * factor)
                        rows_before, _ = stored(url)
                        result, _ = run_load(port, PRODUCT, rate, burst, 30 + factor, server)
                        processed_after = drain(url, args.drain_limit, replies=False)
                        drained = drain(url, args.drain_limit)
                        if processed_after is None:
                            drained = None  # not all processed in time: not all sent either
                        elif drained is not None:
                            drained += processed_after
                        rows_after, distinct = stored(url)
                        curve["ours"].append((rate, result["p50_ms"], result["p99_ms"]))
                        burst_rows.append(
                            [
                                label,
                                f"{factor}x = {rate}",
                                f"{burst:.0f}",
                                str(result["ok"] + result["errors"]),
                                str(rows_after - rows_before),
                                "yes" if rows_after == distinct else "NO",
                                errors_by_status(result),
                                f"{result['max_ms'] / 1000:.2f}",
                                "-" if processed_after is None else f"{processed_after:.0f}",
                                f"{drained:.0f}"
                                if drained is not None
                                else f"> {args.drain_limit:.0f} ({backlog(url)} left)",
                                str(out_of_order(url)),
                            ]
                        )
                        print(burst_rows[-1], flush=True)
                        sent = result["ok"] + result["errors"]
                        slowest = result["max_ms"] / 1000
                        wrong = out_of_order(url)
                        issue_rows += [
                            [
                                label,
                                f"{factor}x for {burst:.0f} s: every message stored once",
                                f"{rows_after - rows_before} stored of {sent} sent "
                                f"({rate * burst:.0f} offered: the load generator may lag), "
                                f"{result['errors']} not answered",
                                met(rows_after == distinct and rows_after - rows_before == sent),
                            ],
                            [
                                label,
                                f"{factor}x: every webhook answered within 5 s",
                                f"slowest {slowest:.2f} s, {result['errors']} errors",
                                met(slowest <= 5 and not result["errors"]),
                            ],
                            [
                                label,
                                f"{factor}x: every reply sent within 60 s of the end, in order",
                                ("not all sent" if drained is None else f"{drained:.0f} s")
                                + f", {wrong} people out of order",
                                met(drained is not None and drained <= 60 and not wrong),
                            ],
                        ]
                    stop_server(server, f"{label}: the bursts")
                finally:
                    drop_database(url)
    png = draw(curves)
    body = (
        f"Load average at start: {load_at_start[0]:.1f} / {load_at_start[1]:.1f} / "
        f"{load_at_start[2]:.1f} (1/5/15 min; 2 cores shared with other work).\n\n"
        "Against issue 17:\n\n"
        + table(["setup", "goal", "measured", "met?"], issue_rows)
        + "\n\nSaturation (closed loop, 48 senders), messages a second; "
        "latency p50 / p99 / max ms:\n\n"
        + table(
            [
                "setup",
                "accept ours",
                "baseline",
                "accept ratio",
                "whole conversation ours",
                "whole ratio",
                "accept latency",
                "baseline latency",
            ],
            goal_rows,
        )
        + "\n\nOffered rate (open loop), ours with the default 300 ms budget:\n\n"
        + table(
            [
                "setup",
                "offered msg/s",
                "ours answered/s",
                "baseline/s",
                "ours p50 / p99 / max ms",
                "baseline p50 / p99 / max ms",
                "errors ours/base",
            ],
            sweep_rows,
        )
        + "\n\nBursts (open loop) at 2x and 4x our whole-conversation saturation rate:\n\n"
        + table(
            [
                "setup",
                "offered msg/s",
                "seconds",
                "sent",
                "stored",
                "each once",
                "errors",
                "slowest answer s",
                "all processed, s after the burst",
                "all replies sent, s after the burst",
                "people out of order",
            ],
            burst_rows,
        )
        + f"\n\n![latency against offered rate]({png.name})"
        + "".join(
            f"\n\nThe server did not stop within {STOP_SECONDS} s of SIGTERM after {after}: "
            "killed (its stacks are in the run's stderr when py-spy is on PATH)."
            for after in SLOW_STOPS
        )
    )
    append(f"Inbound: accept, then answer ({'quick' if args.quick else 'full'})", body)


def draw(curves: dict[str, dict[str, list[tuple[float, float, float]]]]) -> Path:
    """Latency (p50 and p99) against offered rate, ours and the baseline, per setup."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(curves), figsize=(6 * len(curves), 4.5), squeeze=False)
    for axis, (label, series) in zip(axes[0], curves.items(), strict=True):
        for name, colour in (("ours", "tab:blue"), ("baseline", "tab:grey")):
            points = sorted(series[name])
            rates = [p[0] for p in points]
            axis.plot(rates, [p[1] for p in points], "o-", color=colour, label=f"{name} p50")
            axis.plot(rates, [p[2] for p in points], "s--", color=colour, label=f"{name} p99")
        axis.set_yscale("log")
        axis.set_xlabel("offered messages a second")
        axis.set_ylabel("webhook answer time, ms")
        axis.set_title(label)
        axis.axhline(5000, color="tab:red", linewidth=0.8)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    path = RESULTS.parent / "inbound-latency.png"
    figure.savefig(path, dpi=110)
    return path


if __name__ == "__main__":
    main()
