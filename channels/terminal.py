"""The terminal chat (`wtfc chat CODE`): a person's conversation on standard input/output.

It starts as if the person had sent the code, reads one message per line, prints
the replies, and ends when the input ends, so a transcript can be piped in.
Each run is a new participant.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import TextIO

from channels.render import reply_text
from collection.intake import InboundMessage, Intake, IntakeResult


def _print(result: IntakeResult, out: TextIO) -> None:
    for reply in result.replies:
        out.write(reply_text(reply, result.language) + "\n\n")
    out.flush()


async def run_chat(intake: Intake, code: str, lines: TextIO, out: TextIO) -> None:
    address = f"terminal-{uuid.uuid4()}"
    first = await intake.handle(
        InboundMessage(channel="terminal", address=address, text=code, join_code=code)
    )
    _print(first, out)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, lines.readline)
        if not line:
            break
        text = line.rstrip("\n")
        if out is sys.stdout and not lines.isatty():
            out.write(f"> {text}\n")
        result = await intake.handle(InboundMessage(channel="terminal", address=address, text=text))
        _print(result, out)
