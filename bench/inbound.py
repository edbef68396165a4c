"""Inbound throughput and latency: our webhook against the baseline, side by side in one run.

For each setup (SQLite 1 process, PostgreSQL 1 process, PostgreSQL 2 processes) it
starts `uvicorn bench.server_app:app` (the product plus the baseline route) on a fresh
database, then drives the same signed Twilio load at each offered rate and at
saturation against both endpoints, alternating, and reports our throughput as a
ratio of the baseline's. Also records resident memory idle and under load.

    .venv/bin/python -m bench.inbound [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.results import append, table

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


def prepare(env: dict[str, str]) -> None:
    python = sys.executable
    subprocess.run(
        [python, "-m", "wtfc.cli", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    subprocess.run(
        [python, "-m", "wtfc.cli", "programme", "create", "--name", "Bench", "--code", "BENCH"],
        env=env,
        check=True,
        capture_output=True,
    )
    code = (
        "import asyncio; from collection.db import create_engine; "
        "from bench.baseline import create_baseline_table; import os; "
        "e = create_engine(os.environ['WTFC_DATABASE_URL']); "
        "asyncio.run(create_baseline_table(e))"
    )
    subprocess.run([python, "-c", code], env=env, check=True, cwd=ROOT)


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
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
        cwd=ROOT,
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


def run_load(
    port: int, path: str, rate: float, duration: float, seed: int, server: subprocess.Popen[bytes]
) -> tuple[dict[str, object], float]:
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
    ]
    load = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT)
    peak = 0.0
    while load.poll() is None:
        peak = max(peak, rss_mib(server.pid))
        time.sleep(0.25)
    output = load.stdout.read() if load.stdout else b""
    return json.loads(output), peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="short runs, for a smoke test")
    parser.add_argument("--setups", default="sqlite:1,postgresql:1,postgresql:2")
    args = parser.parse_args()
    duration = 4.0 if args.quick else 10.0
    rates = [25.0, 50.0, 100.0, 200.0, 0.0]
    rows: list[list[str]] = []
    memory_rows: list[list[str]] = []
    saturation: dict[str, float] = {}
    for setup in args.setups.split(","):
        kind, workers = setup.split(":")
        with tempfile.TemporaryDirectory() as tmp:
            url = fresh_database(kind, Path(tmp))
            port = free_port()
            env = {
                **os.environ,
                "WTFC_DATABASE_URL": url,
                "TWILIO_AUTH_TOKEN": TOKEN,
                "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
                "WTFC_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "WTFC_SECRET_KEY": "bench-secret-key-not-for-real-use-0123456789",
                "PYTHONPATH": str(ROOT),
            }
            try:
                prepare(env)
                server = start_server(env, port, int(workers))
                time.sleep(1)
                idle = rss_mib(server.pid)
                peak = 0.0
                for index, rate in enumerate(rates):
                    results = {}
                    for path in (PRODUCT, BASELINE):
                        results[path], rss = run_load(port, path, rate, duration, index, server)
                        peak = max(peak, rss)
                    ours, base = results[PRODUCT], results[BASELINE]
                    ratio = float(ours["achieved"]) / max(float(base["achieved"]), 1e-9)
                    label = "saturation" if rate == 0 else f"{rate:.0f}"
                    if rate == 0:
                        saturation[setup] = float(ours["achieved"])
                    rows.append(
                        [
                            f"{kind} x{workers}",
                            label,
                            f"{ours['achieved']:.1f}",
                            f"{base['achieved']:.1f}",
                            f"{ratio:.2f}",
                            f"{ours['p50_ms']:.1f} / {ours['p95_ms']:.1f} / {ours['p99_ms']:.1f}",
                            f"{base['p50_ms']:.1f} / {base['p95_ms']:.1f} / {base['p99_ms']:.1f}",
                            f"{ours['errors']} / {base['errors']}",
                        ]
                    )
                    print(rows[-1], ours["statuses"], base["statuses"], flush=True)
                memory_rows.append([f"{kind} x{workers}", f"{idle:.0f}", f"{peak:.0f}"])
                server.terminate()
                server.wait(timeout=30)
            finally:
                drop_database(url)
    body = table(
        [
            "setup",
            "offered msg/s",
            "ours msg/s",
            "baseline msg/s",
            "ratio",
            "ours p50/p95/p99 ms",
            "baseline p50/p95/p99 ms",
            "errors ours/base",
        ],
        rows,
    )
    if "postgresql:1" in saturation and "postgresql:2" in saturation:
        scale = saturation["postgresql:2"] / max(saturation["postgresql:1"], 1e-9)
        body += f"\n\nPostgreSQL, 2 processes / 1 process at saturation: {scale:.2f}x"
    body += "\n\nResident memory of `uvicorn` (all processes), MiB:\n\n" + table(
        ["setup", "idle", "peak under load"], memory_rows
    )
    append(f"Inbound throughput ({'quick' if args.quick else 'full'})", body)


if __name__ == "__main__":
    main()
