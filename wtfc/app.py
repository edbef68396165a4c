"""The composition root: builds the ASGI app from the channels, the admin and the store."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from admin.router import install_admin
from channels.base import ChannelAdapter
from channels.registry import ADAPTERS
from channels.telegram.adapter import telegram_channel as telegram_channel
from channels.twilio.adapter import close_client
from collection.channel_facts import queued_channels
from collection.db import is_sqlite
from collection.inbound_workers import InboundWorkers
from collection.outbox import Dispatcher, Sender
from collection.runtime import Services
from collection.settings import Settings
from collection.timers import Timers, run_timers
from wtfc import hardening

SETTLE_SECONDS = 15.0
"""At shutdown, how long to wait for messages still being stored past their webhook's
deadline (PostgreSQL gives up on a statement after 10 s, a pool wait after 5)."""


def build_services(settings: Settings) -> Services:
    return Services.build(settings, queued_channels=queued_channels())


def build_adapters(services: Services) -> list[ChannelAdapter]:
    """Every channel adapter of channels/registry.py, in its order."""
    return [entry.build(services) for entry in ADAPTERS]


def build_senders(
    services: Services, adapters: list[ChannelAdapter] | None = None
) -> dict[str, Sender]:
    """One sender per outside channel that is configured in the settings."""
    senders: dict[str, Sender] = {}
    for adapter in build_adapters(services) if adapters is None else adapters:
        senders.update(adapter.senders())
    return senders


async def close_senders(services: Services) -> None:
    """Release the senders' HTTP connections (those that hold any), for callers that built
    senders without an app; the app itself awaits each adapter's `stop`."""
    await close_client(services)


def inbound_worker_count(services: Services) -> int:
    """WTFC_INBOUND_WORKERS, but one on SQLite: it has one connection and one writer, so
    a second worker only takes turns from the webhooks."""
    count = services.settings.inbound_workers
    return min(count, 1) if is_sqlite(services.settings.database_url) else count


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    background: bool = True,
) -> FastAPI:
    """The whole web app. `background=False` leaves out the outbox dispatcher and the
    inbound workers (tests that drive them by hand)."""
    settings = settings or Settings()
    services = services or build_services(settings)
    adapters = build_adapters(services)
    outbox_wake = asyncio.Event()
    services.intake.notify = outbox_wake.set

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        senders = build_senders(services, adapters)
        if background and senders:
            dispatcher = Dispatcher(
                services.sessions,
                services.vault,
                senders,
                wake=outbox_wake,
                give_way=services.intake.give_way,
            )
            tasks.append(asyncio.create_task(dispatcher.run_forever(stop)))
            tasks.append(asyncio.create_task(run_timers(Timers(services.sessions), stop)))
        if background and services.settings.inbound_workers:
            workers = InboundWorkers(services.intake, count=inbound_worker_count(services))
            tasks.append(asyncio.create_task(workers.run(stop)))
        if background:
            tasks.extend(asyncio.create_task(adapter.start(stop)) for adapter in adapters)
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for adapter in adapters:
                await adapter.stop()
            await services.intake.settle(SETTLE_SECONDS)
            await services.close()

    app = FastAPI(title="wtfc-collect", version="0.1.0", lifespan=lifespan)
    app.state.services = services
    app.state.settings = settings
    hardening.install(app)
    for adapter in adapters:
        router = adapter.router()
        if router is not None:
            app.include_router(router)
    install_admin(app)

    @app.get("/healthz", include_in_schema=True)
    async def healthz() -> JSONResponse:
        """Liveness and database reachability (503 when the database does not answer)."""
        try:
            async with asyncio.timeout(3), services.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return app
