"""The app in this process with one programme (BENCH), for the in-process tools.

bench/profile_step.py and bench/count_statements.py drive the ASGI app directly (no
network, no load generator), so what they see is our work alone; both start the same way.
"""

from __future__ import annotations

from fastapi import FastAPI

from collection.migrate import upgrade_async
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from wtfc.app import build_services, create_app


async def bench_app(
    url: str, token: str, secret_key: str, *, inline_budget_ms: int = 60_000
) -> tuple[Services, FastAPI]:
    """A migrated database at `url`, the BENCH programme, and the app over it (with no
    background workers). By default every step runs inline (a minute's budget), so each
    webhook's answer holds its whole work; with a budget of 0 the webhook only stores."""
    await upgrade_async(url)
    settings = Settings(
        WTFC_DATABASE_URL=url,
        WTFC_SECRET_KEY=secret_key,
        TWILIO_AUTH_TOKEN=token,
        WTFC_INLINE_BUDGET_MS=inline_budget_ms,
    )
    services = build_services(settings)
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Bench", code="BENCH")
    return services, create_app(settings, services=services, background=False)
