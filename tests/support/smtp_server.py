"""A real SMTP server inside the test process (aiosmtpd), on a free port of 127.0.0.1.

Why: the alerts must go through an actual SMTP conversation (EHLO, MAIL, RCPT,
DATA) the way a council's mail relay would take them, not through a mocked
smtplib. The server runs on the test's own event loop; our sender talks to it
from a worker thread, so neither waits on the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Mailbox:
    """What the server received, as parsed messages with their envelope recipients."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(([str(r) for r in envelope.rcpt_tos], parsed))
        self.arrived.set()
        return "250 Message accepted for delivery"

    def bodies(self) -> list[str]:
        return [str(m.get_body(("plain",)).get_content()) for _, m in self.messages]  # type: ignore[union-attr]


@dataclass
class SmtpServer:
    mailbox: Mailbox
    port: int
    server: asyncio.AbstractServer

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()


async def start_smtp(mailbox: Mailbox | None = None, port: int = 0) -> SmtpServer:
    box = mailbox or Mailbox()
    loop = asyncio.get_running_loop()

    def factory() -> Any:
        return SMTP(box, hostname="mail.test", loop=loop)

    server = await loop.create_server(factory, "127.0.0.1", port)
    bound = server.sockets[0].getsockname()[1]
    return SmtpServer(box, int(bound), server)


@asynccontextmanager
async def smtp_server() -> AsyncIterator[SmtpServer]:
    running = await start_smtp()
    try:
        yield running
    finally:
        await running.stop()
