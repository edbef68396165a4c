"""How fast one worker drains a backlog: messages a second, in this process.

Stores `--people` whole conversations (`bench.loadgen.SCRIPT`) through the Twilio
webhook with the inline budget at 0 (the webhook only stores, as in a burst), then
times `InboundWorkers.drain`: one worker taking the oldest message that may go next,
running its step and queueing its replies, one message after another. No network,
no load generator and no sending: what is left is the step and its transactions,
which is what bounds how soon a burst's backlog is processed.

    .venv/bin/python -m bench.drain_rate [--people 40] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.inprocess import SignedTexts, bench_app, in_process_client
from bench.loadgen import SCRIPT
from collection.inbound_workers import InboundWorkers
from collection.safeguarding.rules import shipped_rules

TOKEN = "drain-token"


async def run(url: str, people: int) -> tuple[int, float]:
    services, app = await bench_app(
        url, TOKEN, "drain-secret-key-0123456789abcdefgh", inline_budget_ms=0
    )
    async with in_process_client(app) as http:
        texts = SignedTexts(http, TOKEN)
        for n in range(people):
            for text in SCRIPT:
                await texts.send(n, text)
    shipped_rules()  # parsed once per process: not the drain's cost
    started = time.perf_counter()
    drained = await InboundWorkers(services.intake).drain()
    elapsed = time.perf_counter() - started
    await services.close()
    return drained, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'drain.db'}"
        drained, elapsed = asyncio.run(run(url, args.people))
    print(f"{url.split(':')[0]}: drained {drained} messages in {elapsed:.1f} s")
    print(f"{drained / elapsed:.0f} messages a second, one worker")


if __name__ == "__main__":
    main()
