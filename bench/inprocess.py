"""The app in this process with one programme (BENCH), for the in-process tools.

bench/profile_step.py and bench/count_statements.py drive the ASGI app directly (no
network, no load generator), so what they see is our work alone; both start the same way.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from twilio.request_validator import RequestValidator

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


BASE = "http://127.0.0.1:8000"
WEBHOOK = "/webhooks/twilio/messages"


class SignedTexts:
    """Texts to the app's Twilio webhook as Twilio sends them: a fresh MessageSid each,
    from person `n`'s number, signed with the token."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.validator = RequestValidator(token)
        self.sent = 0

    async def send(self, person: int, text: str) -> None:
        self.sent += 1
        form = {
            "MessageSid": f"SM{self.sent:032d}",
            "AccountSid": "AC" + "0" * 32,
            "From": f"+4477009{person:05d}",
            "To": "+447700900000",
            "Body": text,
            "NumMedia": "0",
            "NumSegments": "1",
        }
        signature = self.validator.compute_signature(BASE + WEBHOOK, form)
        answer = await self.http.post(WEBHOOK, data=form, headers={"X-Twilio-Signature": signature})
        assert answer.status_code == 200, answer.text


def in_process_client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
