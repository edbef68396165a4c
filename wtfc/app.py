"""The composition root: builds the ASGI app from the channels, the admin and the store."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from admin.router import install_admin
from channels.webchat import router as webchat
from collection.outbox import Dispatcher, Sender
from collection.runtime import Services
from collection.settings import Settings
from collection.timers import Timers, run_timers
from wtfc import hardening

QUEUED_CHANNELS = frozenset({"telegram"})
"""Channels whose replies go out through the outbox rather than in the HTTP answer."""


def build_services(settings: Settings) -> Services:
    return Services.build(settings, queued_channels=QUEUED_CHANNELS)


def build_senders(services: Services) -> dict[str, Sender]:
    """One sender per outside channel that is configured in the settings."""
    senders: dict[str, Sender] = {}
    return senders


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    background: bool = True,
) -> FastAPI:
    """The whole web app. `background=False` leaves out the outbox dispatcher (tests)."""
    settings = settings or Settings()
    services = services or build_services(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        senders = build_senders(services)
        if background and senders:
            dispatcher = Dispatcher(services.sessions, services.vault, senders)
            tasks.append(asyncio.create_task(dispatcher.run_forever(stop)))
            tasks.append(asyncio.create_task(run_timers(Timers(services.sessions), stop)))
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await services.close()

    app = FastAPI(title="wtfc-collect", version="0.1.0", lifespan=lifespan)
    app.state.services = services
    app.state.settings = settings
    hardening.install(app)
    app.include_router(webchat.router)
    app.mount(
        "/chat/static",
        StaticFiles(directory=webchat.HERE / "static"),
        name="chat-static",
    )
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
