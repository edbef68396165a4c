"""CPU a Twilio send costs: the twilio library through requests in worker threads (how the
outbox sent until issue 17) against our aiohttp client on the event loop (how it sends now).

Sends `--messages` SMS to the bench's Twilio mock each way, 32 at a time, and prints the
process's CPU time and wall time per message. The mock runs in this process too, so both
figures include its share (the same for both ways).

    .venv/bin/python -m bench.send_cost [--messages 600]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bench.results import append, table
from bench.twilio_mock import TwilioMock
from channels.twilio.sender import TwilioSender

ACCOUNT = "AC" + "0" * 32
FROM = "+447700900000"
BODY = "Thank you, that is saved. What else is working well?"
AT_ONCE = 32


class _RewritingClient(TwilioHttpClient):
    """twilio's own requests client, pointed at the mock."""

    def __init__(self, base_url: str) -> None:
        super().__init__(pool_connections=True, timeout=10)
        self.base_url = base_url

    def request(self, method: str, url: str, **options: object) -> object:  # type: ignore[override]
        url = url.replace("https://api.twilio.com", self.base_url)
        return super().request(method, url, **options)  # type: ignore[arg-type]


Send = Callable[[int], Awaitable[object]]
Close = Callable[[], Awaitable[None]]


async def _nothing() -> None:
    return None


async def _threads(base_url: str) -> tuple[Send, Close]:
    client = Client(ACCOUNT, "token", http_client=_RewritingClient(base_url))  # type: ignore[no-untyped-call]

    async def send(number: int) -> object:
        return await asyncio.to_thread(
            client.messages.create, to=f"+4477009{number:05d}", from_=FROM, body=BODY
        )

    return send, _nothing


async def _event_loop(base_url: str) -> tuple[Send, Close]:
    sender = TwilioSender(ACCOUNT, "token", FROM, base_url=base_url)

    async def send(number: int) -> object:
        return await sender.send(f"+4477009{number:05d}", BODY)

    return send, sender.close


async def _measure(
    make: Callable[[str], Awaitable[tuple[Send, Close]]],
    base_url: str,
    messages: int,
) -> tuple[float, float]:
    send, close = await make(base_url)
    await send(0)  # connections and imports outside the measurement
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(number: int) -> None:
        async with gate:
            await send(number)

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(one(number) for number in range(1, messages + 1)))
    cost = (time.process_time() - cpu) / messages, (time.perf_counter() - wall) / messages
    await close()
    return cost


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=600)
    args = parser.parse_args()
    rows = []
    with TwilioMock() as mock:
        for label, make in (
            ("twilio + requests, worker threads", _threads),
            ("twilio + aiohttp (ours), event loop", _event_loop),
        ):
            cpu, wall = asyncio.run(_measure(make, mock.base_url, args.messages))
            rows.append([label, f"{cpu * 1000:.2f}", f"{wall * 1000:.2f}"])
            print(rows[-1], flush=True)
    append(
        "What a Twilio send costs",
        f"`.venv/bin/python -m bench.send_cost --messages {args.messages}`: {AT_ONCE} at a "
        "time to the bench's mock (in the same process, so its share is in both rows).\n\n"
        + table(["way", "CPU ms a message", "wall ms a message"], rows),
    )


if __name__ == "__main__":
    main()
