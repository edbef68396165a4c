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
from channels.email.sender import MailSender, parse_smtp_url
from channels.telegram.lifecycle import TelegramChannel
from channels.twilio import webhook as twilio_webhook
from channels.twilio.outbox_sender import twilio_senders
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
    telegram = telegram_channel(services)
    if telegram is not None:
        senders["telegram"] = telegram.sender
    settings = services.settings
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from:
        twilio, by_channel = twilio_senders(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            from_=settings.twilio_from,
            base_url=settings.twilio_api_base_url,
            messages_per_second=settings.twilio_mps,
            public_url=settings.public_url,
            whatsapp_templates=settings.whatsapp_templates,
        )
        services.extras["twilio"] = twilio  # closed with the app (see `close_senders`)
        senders.update(by_channel)
    if settings.smtp_url:
        # Safeguarding alerts to staff; without it they wait in the outbox until it is set.
        mail_from = settings.mail_from or "wtfc-collect@localhost"
        senders["email"] = MailSender(parse_smtp_url(settings.smtp_url), mail_from)
    return senders


def close_senders(services: Services) -> None:
    """Release the senders' HTTP connections (those that hold any)."""
    for name in ("twilio",):
        client = services.extras.pop(name, None)
        close = getattr(client, "close", None)
        if callable(close):
            close()


def telegram_channel(services: Services) -> TelegramChannel | None:
    """This process's Telegram channel, built on first use; None without TELEGRAM_BOT_TOKEN."""
    if not services.settings.telegram_bot_token:
        return None
    channel = services.extras.get("telegram")
    if not isinstance(channel, TelegramChannel):
        channel = TelegramChannel.build(
            services.settings,
            intake=services.intake,
            sessions=services.sessions,
            vault=services.vault,
        )
        services.extras["telegram"] = channel
    return channel


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    background: bool = True,
) -> FastAPI:
    """The whole web app. `background=False` leaves out the outbox dispatcher (tests)."""
    settings = settings or Settings()
    services = services or build_services(settings)
    telegram = telegram_channel(services)
    outbox_wake = asyncio.Event()
    if telegram is not None:
        telegram.handler.notify = outbox_wake.set

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        senders = build_senders(services)
        if background and senders:
            dispatcher = Dispatcher(services.sessions, services.vault, senders, wake=outbox_wake)
            tasks.append(asyncio.create_task(dispatcher.run_forever(stop)))
            tasks.append(asyncio.create_task(run_timers(Timers(services.sessions), stop)))
        if background and telegram is not None:
            tasks.append(asyncio.create_task(telegram.run(stop)))
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if telegram is not None:
                await telegram.close()
            close_senders(services)
            await services.close()

    app = FastAPI(title="wtfc-collect", version="0.1.0", lifespan=lifespan)
    app.state.services = services
    app.state.settings = settings
    hardening.install(app)
    app.include_router(webchat.router)
    if telegram is not None:
        app.include_router(telegram.router())
    app.include_router(twilio_webhook.router)
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
