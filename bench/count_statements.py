"""Count SQL statements per whole-conversation message through the Twilio webhook.

Drives the ASGI app in-process (no network), one person after another, each
texting the load generator's whole conversation (`bench.loadgen.SCRIPT`) with
the step answered inline, and counts what reaches the database driver with a
cursor hook (SQLAlchemy's `before_cursor_execute`) and its commits. Prints the
average per message and, per line of the script, the statements of one message.

    .venv/bin/python -m bench.count_statements [--people 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.inprocess import SignedTexts, bench_app, in_process_client
from bench.loadgen import SCRIPT

TOKEN = "count-token"


class Tally:
    """Statements and commits seen by the driver, with the last statements for --show."""

    def __init__(self) -> None:
        self.statements = 0
        self.commits = 0
        self.seen: list[str] = []

    def attach(self, engine: Any) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def _statement(*args: Any) -> None:
            self.statements += 1
            self.seen.append(" ".join(str(args[2]).split())[:110])

        @event.listens_for(engine, "commit")
        def _commit(*_args: Any) -> None:
            self.commits += 1


async def run(url: str, people: int, show: bool) -> None:
    services, app = await bench_app(url, TOKEN, "count-secret-key-0123456789abcdefgh")
    tally = Tally()
    tally.attach(services.engine.sync_engine)
    per_line: Counter[int] = Counter()
    async with in_process_client(app) as http:
        texts = SignedTexts(http, TOKEN)
        for n in range(people):
            for index, text in enumerate(SCRIPT):
                before = tally.statements
                tally.seen.clear()
                await texts.send(n, text)
                per_line[index] += tally.statements - before
                if show and n == people - 1:
                    print(f"--- {text!r}")
                    for line in tally.seen:
                        print("   ", line)
    await services.close()
    messages = people * len(SCRIPT)
    print(f"{messages} messages, {people} people, {url.split(':')[0]}")
    print(f"statements per message: {tally.statements / messages:.2f}")
    print(f"commits per message:    {tally.commits / messages:.2f}")
    for index, text in enumerate(SCRIPT):
        print(f"  {per_line[index] / people:5.1f}  {text}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5)
    parser.add_argument("--database-url")
    parser.add_argument("--show", action="store_true", help="print the last person's SQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'count.db'}"
        asyncio.run(run(url, args.people, args.show))


if __name__ == "__main__":
    main()
