"""Polling confirms an update to Telegram only once it is stored, and survives outages."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import OperationalError
from telegram import Update

from channels.telegram.application import ALLOWED_UPDATES, BotGate, build_application
from channels.telegram.polling import Poller
from collection.settings import Settings
from tests.support.telegram_offline import OfflineBotApi
from tests.support.telegram_payloads import load_update

NO_PAUSE = (0.0,)
"""The poller's pauses after a failure, none: the tests check what it does, not how long."""
GUARD = 30.0
"""Only against a hang, however busy the machine."""


def _gate(api: OfflineBotApi) -> BotGate:
    settings = Settings(TELEGRAM_BOT_TOKEN="7123456789:offline-test-token")
    return BotGate(build_application(settings, request=api, get_updates_request=api))


def _texts(*ids: int) -> list[dict[str, object]]:
    updates = []
    for update_id in ids:
        update = load_update("private_text")
        update["update_id"] = update_id
        updates.append(update)
    return updates


async def _run_until(poller: Poller, done: asyncio.Event) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    await asyncio.wait_for(done.wait(), timeout=GUARD)
    stop.set()
    await asyncio.wait_for(task, timeout=GUARD)


async def test_updates_are_handled_in_order_and_confirmed_by_the_next_offset() -> None:
    """Each getUpdates asks from just after the last update handled."""
    api = OfflineBotApi()
    api.updates = _texts(11, 12, 13)
    seen: list[int] = []
    done = asyncio.Event()

    async def handle(update: Update) -> None:
        seen.append(update.update_id)
        if len(seen) == 3:
            done.set()

    gate = _gate(api)
    await _run_until(Poller(gate, handle, timeout=0, pauses=NO_PAUSE), done)
    await gate.close()
    assert seen == [11, 12, 13]
    offsets = [call.get("offset") for call in api.called("getUpdates")]
    assert offsets[0] is None and offsets[-1] == 14
    assert api.called("getUpdates")[0]["allowed_updates"] == list(ALLOWED_UPDATES)


async def test_an_update_that_could_not_be_stored_is_fetched_again() -> None:
    """The database fails on update 12: 11 stays confirmed, 12 is fetched and handled again."""
    api = OfflineBotApi()
    api.updates = _texts(11, 12, 13)
    seen: list[int] = []
    done = asyncio.Event()
    failed = False

    async def handle(update: Update) -> None:
        nonlocal failed
        seen.append(update.update_id)
        if update.update_id == 12 and not failed:
            failed = True
            raise OperationalError("INSERT", {}, ConnectionRefusedError())
        if update.update_id == 13:
            done.set()

    gate = _gate(api)
    await _run_until(Poller(gate, handle, timeout=0, pauses=NO_PAUSE), done)
    await gate.close()
    assert seen == [11, 12, 12, 13]
    assert [call.get("offset") for call in api.called("getUpdates")][:2] == [None, 12]


async def test_telegram_being_unreachable_only_pauses_polling() -> None:
    """A 502 from getUpdates: wait, then carry on."""
    api = OfflineBotApi()
    api.updates = _texts(21)
    api.fail_next("getUpdates", 502, "Bad Gateway")
    done = asyncio.Event()

    async def handle(update: Update) -> None:
        done.set()

    gate = _gate(api)
    await _run_until(Poller(gate, handle, timeout=0, pauses=NO_PAUSE), done)
    await gate.close()
    assert len(api.called("getUpdates")) >= 2


async def test_stopping_ends_a_long_poll_at_once() -> None:
    """Shutdown does not wait for Telegram's long poll to time out."""

    polling = asyncio.Event()

    class Hanging(OfflineBotApi):
        async def do_request(
            self, url: str, method: str, *args: object, **kwargs: object
        ) -> tuple[int, bytes]:
            if url.endswith("/getUpdates"):
                polling.set()
                await asyncio.sleep(3600)
            return await super().do_request(url, method, *args, **kwargs)  # type: ignore[arg-type]

    gate = _gate(Hanging())

    async def handle(update: Update) -> None:
        raise AssertionError("no updates")

    stop = asyncio.Event()
    task = asyncio.create_task(Poller(gate, handle).run(stop))
    await asyncio.wait_for(polling.wait(), timeout=GUARD)
    stop.set()
    await asyncio.wait_for(task, timeout=GUARD)  # not the poll's hour
    await gate.close()


async def test_an_update_our_code_fails_on_is_skipped_not_fetched_for_ever() -> None:
    """A bug on update 32: tried once, logged, skipped; 33 is handled behind it."""
    api = OfflineBotApi()
    api.updates = _texts(31, 32, 33)
    seen: list[int] = []
    done = asyncio.Event()

    async def handle(update: Update) -> None:
        seen.append(update.update_id)
        if update.update_id == 32:
            raise ValueError("a bug")
        if update.update_id == 33:
            done.set()

    gate = _gate(api)
    await _run_until(Poller(gate, handle, timeout=0, pauses=NO_PAUSE), done)
    await gate.close()
    assert seen == [31, 32, 33]
