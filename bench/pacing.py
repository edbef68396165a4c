"""Outbound pacing: 200 invites at TWILIO_MPS=20 against a mock of Twilio's REST API.

Prism serves Twilio's own OpenAPI description (every request is checked against
Twilio's contract); a recording proxy in front of it timestamps each arrival. The
invites go out through the real outbox dispatcher and Twilio sender, with one and
with two dispatchers sharing the pace. Reports the achieved rate against the
configured one and the busiest second (which must never exceed the rate).

    .venv/bin/python -m bench.pacing [--count 200] [--mps 20]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from bench.results import append, table
from collection.invites import queue_invite
from collection.migrate import upgrade_async
from collection.models import OutboxMessage
from collection.outbox import Dispatcher
from collection.programmes import create_programme
from collection.settings import Settings
from tests.support.fault_proxy import FaultProxy
from tests.support.prism import PrismServer, twilio_spec
from wtfc.app import build_senders, build_services, close_senders


async def run(count: int, mps: float, dispatchers: int, base_url: str, workdir: Path) -> None:
    url = f"sqlite+aiosqlite:///{workdir / f'pacing-{dispatchers}.db'}"
    await upgrade_async(url)
    settings = Settings(
        WTFC_DATABASE_URL=url,
        WTFC_SECRET_KEY="bench-pacing-secret-key-0123456789abcdef",
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN="bench",
        TWILIO_FROM="+447400000001",
        TWILIO_API_BASE_URL=base_url,
        TWILIO_MPS=mps,
    )
    services = build_services(settings)
    async with services.sessions() as session, session.begin():
        programme = await create_programme(
            session=session, name="Pacing", code="PACE", purpose="Benchmark."
        )
        for n in range(count):
            await queue_invite(
                session=session, vault=services.vault, programme=programme, number=f"+4474{n:08d}"
            )
    senders = build_senders(services)
    workers = [
        Dispatcher(services.sessions, services.vault, senders, batch=5) for _ in range(dispatchers)
    ]

    stop = asyncio.Event()

    async def watch() -> None:
        """Stop the dispatchers once nothing is left to send."""
        while True:
            await asyncio.sleep(0.2)
            async with services.sessions() as session:
                left = await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status.in_(("queued", "sending")))
                )
            if not left:
                stop.set()
                return

    await asyncio.gather(watch(), *(w.run_forever(stop, idle=0.05) for w in workers))
    await close_senders(services)
    await services.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--mps", type=float, default=20)
    args = parser.parse_args()
    rows = []
    with (
        PrismServer(twilio_spec()) as prism,
        FaultProxy(prism.base_url) as proxy,
        tempfile.TemporaryDirectory() as tmp,
    ):
        for dispatchers in (1, 2):
            proxy.reset()
            asyncio.run(run(args.count, args.mps, dispatchers, proxy.base_url, Path(tmp)))
            arrivals = sorted(r.at for r in proxy.requests if r.path.endswith("/Messages.json"))
            valid = sum(1 for r in proxy.requests if r.valid)
            span = arrivals[-1] - arrivals[0]
            achieved = (len(arrivals) - 1) / span if span > 0 else float("inf")
            busiest = max(sum(1 for t in arrivals if s <= t < s + 1) for s in arrivals)
            rows.append(
                [
                    str(dispatchers),
                    str(len(arrivals)),
                    f"{valid}",
                    f"{args.mps:.0f}",
                    f"{achieved:.2f}",
                    f"{achieved / args.mps:.1%}",
                    str(busiest),
                    f"{min(b - a for a, b in itertools.pairwise(arrivals)) * 1000:.0f}",
                ]
            )
            print(rows[-1], flush=True)
    append(
        f"Outbound pacing ({args.count} invites, TWILIO_MPS={args.mps:.0f}, Prism mock)",
        table(
            [
                "dispatchers",
                "sent",
                "valid per Twilio's spec",
                "configured msg/s",
                "achieved msg/s",
                "of configured",
                "busiest second",
                "smallest gap ms",
            ],
            rows,
        ),
    )


if __name__ == "__main__":
    main()
