"""What every channel adapter offers the composition root: a router, senders, start, stop.

An adapter is the thin edge between one outside system and the one intake
transaction: it turns the outside format into an `InboundMessage` and an engine
reply into the outside format, and holds no conversation logic. What the
collection layer needs to *know* of a channel (can we reach the person later,
are its replies queued) is not here but in `collection/channel_facts.py`.

The app (wtfc/app.py) builds every adapter in `channels/registry.py` once per
process and, for each, mounts its router, hands its senders to the outbox
dispatcher, runs `start` in the background until shutdown and awaits `stop` at shutdown.
An adapter whose settings are missing (no Twilio credentials, no Telegram token)
is still built: it simply offers no sender (and, for Telegram, no router).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from fastapi import APIRouter

from collection.outbox import Sender
from collection.runtime import Services


class ChannelAdapter(Protocol):
    """One outside system's way in and out."""

    def router(self) -> APIRouter | None:
        """HTTP routes (webhooks, pages) to mount on the app, or None."""
        ...

    def senders(self) -> dict[str, Sender]:
        """Outbox senders by channel name; empty when the channel sends nothing or is off."""
        ...

    async def start(self, stopping: asyncio.Event) -> None:
        """Background work (start-up calls, polling) until `stopping` is set; may return
        at once. Run as a task only when the app runs its background work."""
        ...

    async def stop(self) -> None:
        """Release connections at shutdown (always awaited, started or not)."""
        ...


@dataclass(frozen=True)
class AdapterEntry:
    """One line of the registry: the channel names an adapter serves and how to build it."""

    channels: tuple[str, ...]
    """Names in `collection.channel_facts.CHANNELS`; empty for a staff-only way out (e-mail)."""
    build: Callable[[Services], ChannelAdapter]


class NoTransport:
    """The adapter of a channel whose messages never cross an outside system: the terminal
    chat (`wtfc chat`, channels/terminal.py) and staff typing answers in (the admin)."""

    def router(self) -> APIRouter | None:
        return None

    def senders(self) -> dict[str, Sender]:
        return {}

    async def start(self, stopping: asyncio.Event) -> None:
        return None

    async def stop(self) -> None:
        return None


def no_transport(services: Services) -> ChannelAdapter:
    return NoTransport()
