"""Load generator: simulated people texting whole conversations by signed Twilio webhooks.

Runs in its own process (so it does not share a CPU loop with the server) and prints
one JSON line: offered and achieved messages per second, latency percentiles, errors.

Open loop at a fixed offered rate (a message every 1/rate s to whichever person is
waiting to send), or closed loop at saturation (`--rate 0`: C workers send as fast as
answers come back).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from collections import deque
from dataclasses import dataclass, field

import aiohttp
from twilio.request_validator import RequestValidator

SCRIPT = [
    "BENCH",
    "YES",
    "1",
    "Going to the pub on Fridays",
    "My support worker listens to me",
    "Cooking my own tea",
    "DONE",
    "1 3",
    "The bus is always late",
    "Nobody asks me",
    "DONE",
    "Learn to cook a roast",
    "A job in a cafe",
    "DONE",
    "YES",
    "NO",
]


@dataclass
class Person:
    number: str
    step: int = 0


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


class Load:
    def __init__(self, base: str, path: str, token: str, seed: int) -> None:
        self.url = base.rstrip("/") + path
        self.validator = RequestValidator(token)
        self.random = random.Random(seed)
        self.prefix = self.random.randrange(4_000, 9_999)
        self.next_person = 0
        self.sid = 0
        self.stats = Stats()

    def new_person(self) -> Person:
        self.next_person += 1
        return Person(f"+447{self.prefix:04d}{self.next_person:05d}")

    async def send(self, client: aiohttp.ClientSession, person: Person) -> None:
        self.sid += 1
        params = {
            "MessageSid": f"SM{self.prefix:04x}{self.sid:028x}",
            "AccountSid": "AC" + "0" * 32,
            "From": person.number,
            "To": "+447700900000",
            "Body": SCRIPT[person.step % len(SCRIPT)],
            "NumMedia": "0",
            "NumSegments": "1",
        }
        signature = self.validator.compute_signature(self.url, params)
        started = time.perf_counter()
        try:
            async with client.post(
                self.url, data=params, headers={"X-Twilio-Signature": signature}
            ) as answer:
                await answer.read()
                status = answer.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        elapsed = time.perf_counter() - started
        self.stats.statuses[status] = self.stats.statuses.get(status, 0) + 1
        if 200 <= status < 300:
            self.stats.latencies.append(elapsed)
        else:
            self.stats.errors += 1
        person.step += 1


CONNECTIONS = 512
TIMEOUT = 30
"""Seconds the load generator waits for an answer before it counts an error (Twilio: 15)."""


def session(connections: int) -> aiohttp.ClientSession:
    """An HTTP client light enough not to be what is measured.

    httpx cost about 9 ms of CPU a request here in a 290-a-second burst, a whole core
    of the two, so its answers waited for the load generator itself; aiohttp costs a
    fraction of that (bench/RESULTS.md, the summary of the 18:31 run)."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections),
        timeout=aiohttp.ClientTimeout(total=TIMEOUT),
    )


async def open_loop(load: Load, rate: float, duration: float) -> float:
    idle: deque[Person] = deque(load.new_person() for _ in range(max(50, int(rate * 2))))
    tasks: set[asyncio.Task[None]] = set()
    in_flight = asyncio.Semaphore(CONNECTIONS)
    async with session(CONNECTIONS) as client:
        started = time.perf_counter()
        sent = 0
        while (now := time.perf_counter() - started) < duration:
            due = sent / rate
            if now < due:
                await asyncio.sleep(due - now)
            person = idle.popleft() if idle else load.new_person()

            async def one(p: Person = person) -> None:
                # At most one request per connection in flight, so none waits for a
                # connection inside the client: its wait is the server's.
                async with in_flight:
                    await load.send(client, p)
                idle.append(p if p.step < len(SCRIPT) else load.new_person())

            task = asyncio.create_task(one())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            sent += 1
        if tasks:
            await asyncio.gather(*tasks)
        return time.perf_counter() - started


async def closed_loop(load: Load, workers: int, duration: float) -> float:
    async with session(workers * 2) as client:
        started = time.perf_counter()

        async def worker() -> None:
            person = load.new_person()
            while time.perf_counter() - started < duration:
                await load.send(client, person)
                if person.step >= len(SCRIPT):
                    person = load.new_person()

        await asyncio.gather(*(worker() for _ in range(workers)))
        return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--path", default="/webhooks/twilio/messages")
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, required=True, help="0 = saturation")
    parser.add_argument("--workers", type=int, default=48)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    load = Load(args.base, args.path, args.token, args.seed)
    if args.rate > 0:
        elapsed = asyncio.run(open_loop(load, args.rate, args.duration))
    else:
        elapsed = asyncio.run(closed_loop(load, args.workers, args.duration))
    ok = load.stats.latencies
    print(
        json.dumps(
            {
                "offered": args.rate or "saturation",
                "achieved": len(ok) / elapsed,
                "p50_ms": percentile(ok, 50) * 1000,
                "p95_ms": percentile(ok, 95) * 1000,
                "p99_ms": percentile(ok, 99) * 1000,
                "max_ms": max(ok, default=float("nan")) * 1000,
                "ok": len(ok),
                "errors": load.stats.errors,
                "statuses": load.stats.statuses,
            }
        )
    )


if __name__ == "__main__":
    main()
