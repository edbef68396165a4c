"""Telegram's Bot API inside the test process: a python-telegram-bot request class, no network.

Why: python-telegram-bot's own tests swap the HTTP layer for an offline ``BaseRequest``; we do
the same to see exactly which Bot API calls the Telegram channel makes (a webhook test must
not wait for a dispatcher), and to make Telegram answer what the emulator never does: 429 with
``retry_after``, 403 "bot was blocked by the user", 400 "message is not modified", 502.

Pass one to ``TelegramChannel.build(..., request=api, get_updates_request=api)``. Every call is
recorded in ``calls`` as ``(method, params)``; ``fail_next(method, ...)`` makes the next call of
that method fail as Telegram would.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from telegram.request import BaseRequest, RequestData

from channels.telegram.lifecycle import TelegramChannel
from collection.runtime import Services
from collection.settings import Settings

BOT_ID = 7123456789


@dataclass(frozen=True)
class Failure:
    status: int
    description: str
    retry_after: int | None = None


class OfflineBotApi(BaseRequest):
    """Answers Bot API methods like Telegram, from memory (see the module docstring)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.times: list[float] = []
        """``time.monotonic()`` of each call, for pacing assertions."""
        self._failures: dict[str, list[Failure]] = {}
        self._message_ids = itertools.count(500)
        self.updates: list[dict[str, Any]] = []
        """What ``getUpdates`` hands out: those at or after the ``offset`` asked for."""

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def fail_next(
        self, method: str, status: int, description: str, *, retry_after: int | None = None
    ) -> None:
        """The next call of ``method`` fails with this HTTP status and Bot API description."""
        self._failures.setdefault(method.lower(), []).append(
            Failure(status, description, retry_after)
        )

    def called(self, method: str) -> list[dict[str, Any]]:
        """The parameters of every call of ``method``, oldest first."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    def called_at(self, method: str) -> list[float]:
        """When each call of ``method`` was made (monotonic seconds)."""
        return [
            at
            for (name, _), at in zip(self.calls, self.times, strict=True)
            if name.lower() == method.lower()
        ]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        self.calls.append((name, params))
        self.times.append(time.monotonic())
        queued = self._failures.get(name.lower())
        if queued:
            failure = queued.pop(0)
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        method = name.lower()
        if method == "getme":
            return {"id": BOT_ID, "is_bot": True, "first_name": "WTfC", "username": "wtfc_bot"}
        if method == "getupdates":
            offset = int(params.get("offset") or 0)
            return [u for u in self.updates if u["update_id"] >= offset]
        if method in ("sendmessage", "editmessagetext", "editmessagereplymarkup"):
            message_id = params.get("message_id") or next(self._message_ids)
            message: dict[str, Any] = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": params["chat_id"], "type": "private", "first_name": "Sam"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "WTfC"},
                "text": params.get("text", ""),
            }
            if isinstance(params.get("reply_markup"), dict):
                message["reply_markup"] = params["reply_markup"]
            return message
        return True


def offline_channel(
    services: Services, api: OfflineBotApi, settings: Settings | None = None
) -> TelegramChannel:
    """The app's Telegram channel talking to `api` instead of Telegram, registered on
    `services` so that `create_app` mounts it (as `wtfc serve` would with a real token)."""
    channel = TelegramChannel.build(
        settings or services.settings,
        intake=services.intake,
        sessions=services.sessions,
        vault=services.vault,
        request=api,
        get_updates_request=api,
    )
    services.extras["telegram"] = channel
    return channel
