"""`POST /webhooks/telegram`: Telegram pushes each update here when we have a public URL.

Telegram sends back the secret we registered with the webhook in
`X-Telegram-Bot-Api-Secret-Token`; anything without it, or with another, is
refused with 403 before it is read. The update is stored (and its replies
queued) before we answer 200, so an answer means it is safe; 503 when the
database does not answer makes Telegram send the update again later. A body
that is not an update, or holds a value the database cannot store, is a 400, never a 500
(which Telegram would retry for ever).
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response
from telegram import Update

from channels.telegram.application import WEBHOOK_PATH, Bot
from channels.telegram.handler import TelegramHandler
from collection import outage

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)


class MalformedUpdateError(ValueError):
    """The body is not a Bot API Update."""


def secret_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison; bytes, so a non-ASCII header cannot raise."""
    if given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


MAX_UPDATE_ID = 2**63 - 1
"""Telegram's update ids are 32-bit; anything past a 64-bit integer is not one of theirs
(and would not fit where the intake keeps message ids)."""
NOT_AN_UPDATE = (
    AttributeError,
    KeyError,
    TypeError,
    ValueError,
    IndexError,
    OverflowError,
    OSError,
    RecursionError,
)
"""What python-telegram-bot raises building an Update from JSON of the wrong shape: a
date out of range is an OverflowError or an OSError (which must not become a 503)."""


def read_update(body: bytes, bot: Bot) -> Update:
    """The update in a webhook body, or MalformedUpdateError."""
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, nested too deep
        raise MalformedUpdateError("not JSON") from error
    if not isinstance(data, dict):
        raise MalformedUpdateError("not an object")
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise MalformedUpdateError("no update_id")
    if not 0 <= update_id <= MAX_UPDATE_ID:
        raise MalformedUpdateError("update_id out of range")
    try:
        update = Update.de_json(data, bot)
    except NOT_AN_UPDATE as error:
        raise MalformedUpdateError("not an Update") from error
    return update


def webhook_router(handler: TelegramHandler, secret: str) -> APIRouter:
    """The route, bound to this process's handler and the secret Telegram was given."""
    router = APIRouter()

    @router.post(WEBHOOK_PATH, include_in_schema=False)
    async def telegram_webhook(
        request: Request,
        token: Annotated[str | None, Header(alias=SECRET_HEADER)] = None,
    ) -> Response:
        if not secret_matches(token, secret):
            return JSONResponse({"detail": "Forbidden"}, status_code=403)
        try:
            update = read_update(await request.body(), handler.gate.application.bot)
        except MalformedUpdateError as error:
            log.warning("telegram webhook: malformed update (%s)", error)
            return JSONResponse({"detail": "Not a Telegram update."}, status_code=400)
        try:
            await handler.handle(update)
        except Exception as error:
            verdict = outage.diagnose(error).verdict
            if verdict is outage.Verdict.REFUSED_VALUE:
                # A value the database cannot hold (text with a NUL on PostgreSQL): an
                # update we can never take, so a 400 like any malformed one, not retried.
                outage.report(error, log, "telegram webhook")
                return JSONResponse({"detail": "Not a Telegram update."}, status_code=400)
            if verdict is not outage.Verdict.OUTAGE:
                raise  # our bug: the app answers 500 and logs it once (wtfc.hardening)
            diagnosis = outage.report(error, log, "telegram webhook")
            return JSONResponse(
                {"detail": "Try again shortly.", "kind": diagnosis.kind},
                status_code=diagnosis.status_code,
                headers=diagnosis.headers,
            )
        return Response(status_code=200)

    return router


__all__ = [
    "SECRET_HEADER",
    "MalformedUpdateError",
    "read_update",
    "secret_matches",
    "webhook_router",
]
