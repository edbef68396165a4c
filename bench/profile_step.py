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

import httpx
from twilio.request_validator import RequestValidator

from bench.inprocess import bench_app
from bench.loadgen import SCRIPT

TOKEN = "profile-token"
BASE = "http://127.0.0.1:8000"


async def run(url: str, people: int, profile: Any) -> float:
    services, app = await bench_app(url, TOKEN, "profile-secret-key-0123456789abcdef")
    validator = RequestValidator(TOKEN)
    sid = 0
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:

        async def person(n: int) -> None:
            nonlocal sid
            for text in SCRIPT:
                sid += 1
                form = {
                    "MessageSid": f"SM{sid:032d}",
                    "AccountSid": "AC" + "0" * 32,
                    "From": f"+4477009{n:05d}",
                    "To": "+447700900000",
                    "Body": text,
                    "NumMedia": "0",
                    "NumSegments": "1",
                }
                signature = validator.compute_signature(BASE + "/webhooks/twilio/messages", form)
                answer = await http.post(
                    "/webhooks/twilio/messages",
                    data=form,
                    headers={"X-Twilio-Signature": signature},
                )
                assert answer.status_code == 200, answer.text

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
