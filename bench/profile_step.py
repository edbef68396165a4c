"""Profile whole conversations through the Twilio webhook, in one process (pyinstrument).

Drives the ASGI app in-process (no network, no load generator) so the profile holds
only our work: the web framework, form and signature, the intake's transactions
and the engine. Prints pyinstrument's call tree (CPU time, no waiting), which
is what bench/RESULTS.md summarises. pyinstrument is not a dependency of the
product: `pip install pyinstrument` into the virtualenv first.

    .venv/bin/python -m bench.profile_step [--people 40] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.inprocess import SignedTexts, bench_app, in_process_client
from bench.loadgen import SCRIPT

TOKEN = "profile-token"


async def run(url: str, people: int, profile: Any) -> float:
    services, app = await bench_app(url, TOKEN, "profile-secret-key-0123456789abcdef")
    async with in_process_client(app) as http:
        texts = SignedTexts(http, TOKEN)

        async def person(n: int) -> None:
            for text in SCRIPT:
                await texts.send(n, text)

        started = time.perf_counter()
        profile.start()
        await asyncio.gather(*(person(n) for n in range(people)))
        profile.stop()
        elapsed = time.perf_counter() - started
    await services.close()
    return people * len(SCRIPT) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    from pyinstrument import Profiler

    profile = Profiler(async_mode="disabled", interval=0.0005)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'profile.db'}"
        rate = asyncio.run(run(url, args.people, profile))
    print(f"{rate:.0f} messages a second under the profiler")
    print(profile.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
