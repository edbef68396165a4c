"""Long polling: with no public address, fetch updates with getUpdates ourselves.

A drop-in centre can then run the server on a laptop. An update is confirmed to
Telegram (the next `offset`) only after it has been stored, so if the database
stops answering the same updates are fetched again; a restart re-fetches what
was not confirmed and the intake recognises the update_ids it already has.
Telegram allows one poller per bot: run one process, or use the webhook. An update
our own code fails on (a bug, see `collection.outage`) is logged and skipped rather
than fetched again for ever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Update
from telegram.error import Conflict, InvalidToken, TelegramError

from channels.telegram.application import ALLOWED_UPDATES, POLL_TIMEOUT, BotGate
from collection import outage

log = logging.getLogger(__name__)

RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
"""Pauses after consecutive failures (network, database, a conflict), longest repeated."""

Handle = Callable[[Update], Awaitable[object]]


class Poller:
    """Fetches updates until `stop` is set, handing each to `handle` in order."""

    def __init__(
        self,
        gate: BotGate,
        handle: Handle,
        *,
        timeout: int = POLL_TIMEOUT,
        pauses: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self._gate = gate
        self._pauses = pauses
        self._handle = handle
        self._timeout = timeout
        self._offset: int | None = None
        self._failures = 0

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                updates = await _until_stopped(self._fetch(), stop)
                if updates is None:
                    return
                for update in updates:
                    await self._handle_one(update)
                    self._offset = update.update_id + 1
                self._failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the poller must outlive any outage
                await self._pause(error, stop)

    async def _handle_one(self, update: Update) -> None:
        """Hand over one update. An outage propagates (the poller pauses and fetches it
        again); a bug is logged once and the update skipped: it would fail the same way
        every time, and every chat behind it would wait for ever."""
        try:
            await self._handle(update)
        except Exception as error:
            if outage.is_outage(error) or isinstance(error, TelegramError):
                raise
            outage.report(error, log, f"telegram update {update.update_id} skipped")

    async def _fetch(self) -> Sequence[Update]:
        bot = await self._gate.bot()
        return await bot.get_updates(
            offset=self._offset, timeout=self._timeout, allowed_updates=list(ALLOWED_UPDATES)
        )

    async def _pause(self, error: Exception, stop: asyncio.Event) -> None:
        delay = self._pauses[min(self._failures, len(self._pauses) - 1)]
        self._failures += 1
        if isinstance(error, Conflict):
            reason = "another poller or a webhook is using this bot"
        elif isinstance(error, InvalidToken):
            reason = "the bot token was rejected"
        elif outage.is_outage(error):
            reason = "database unavailable; the updates will be fetched again"
        elif isinstance(error, TelegramError):
            reason = f"Telegram: {type(error).__name__}"
        else:
            log.exception("telegram polling failed")
            reason = type(error).__name__
        log.warning("telegram polling paused %.0f s: %s", delay, reason)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)


async def _until_stopped(
    work: Awaitable[Sequence[Update]], stop: asyncio.Event
) -> Sequence[Update] | None:
    """The result of `work`, or None (and `work` cancelled) once `stop` is set."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        stopper.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return None
    return task.result()


__all__ = ["Poller"]
