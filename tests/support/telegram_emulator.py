"""A local Telegram Bot API for tests: telegram-test-api behind a shim that makes it truthful.

Why this exists: the Telegram channel must be tested end to end (python-telegram-bot polling,
inline keyboards, callback buttons, edits) without reaching Telegram. The npm package
``telegram-test-api`` 4.2.1 (installed into ``.tools/`` by ``scripts/install-tools``) emulates the
Bot API and a user's client, but as published it deviates from the Bot API in ways PTB rejects:

* ``getMe`` lacks ``is_bot`` (PTB: ``TypeError``) and always says bot id 666;
* ``sendMessage`` answers with ``date`` in milliseconds (PTB: "year 58873 is out of range"), a chat
  that is always ``private``, no ``from``, and the request's own fields echoed into the message;
* callback queries lack ``chat_instance`` (PTB: ``TypeError``); the emulator drops it even if the
  client sends it;
* user messages in ``getUpdates`` carry the emulator's internal ``botToken`` field;
* ``answerCallbackQuery``, ``setWebhook`` answer ``result: null`` instead of ``true``;
* ``editMessageReplyMarkup`` and ``editMessageText`` answer ``result: null`` (PTB:
  ``AttributeError``), and a markup edit that removes the keyboard is silently ignored;
* every method it does not know (``setMyCommands``, ``getWebhookInfo``, ``sendChatAction``, ...)
  fails with HTTP 500 and a body that is not a Bot API error (PTB: ``NetworkError``);
* ``getUpdates`` ignores ``timeout`` (no long polling), ``offset`` and ``limit``, and
  ``setWebhook`` really POSTs later user messages to the given URL (a fake URL crashes it).

The shim is a small Starlette app served by uvicorn on a background thread. It forwards
``getMe``, ``getUpdates`` and ``sendMessage`` to the emulator and repairs the answers; it answers
the rest itself, recording every call so tests can assert on edits, answered callbacks and
commands. The user side (a person typing, pressing a button) goes to the emulator's client API.

Use it through the fixtures. Bind them in a test module (or list this module in the root
conftest's ``pytest_plugins``)::

    from tests.support import telegram_emulator as telegram_support
    telegram_emulator = telegram_support.telegram_emulator  # session: node emulator + shim
    telegram_harness = telegram_support.telegram_harness  # per test: a fresh bot token

    async def test_hello(telegram_harness: TelegramHarness) -> None:
        tg = telegram_harness
        app = ApplicationBuilder().token(tg.token).base_url(tg.base_url).build()
        ...  # add handlers, start polling
        tg.send_text(5012345678, "hello")
        [reply] = await tg.wait_for_replies(1)
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = Path(os.environ.get("WTFC_TOOLS_DIR", REPO_ROOT / ".tools"))
EMULATOR_PACKAGE = TOOLS_DIR / "node_modules" / "telegram-test-api"
LAUNCHER = Path(__file__).with_name("telegram_emulator_server.js")

STARTUP_TIMEOUT = 20.0
"""Seconds to wait for node and uvicorn to listen: generous for a loaded 2-core CI machine."""
STOP_TIMEOUT = 5.0
MAX_LONG_POLL = 10.0
"""Cap on a ``getUpdates`` long poll, so a forgotten poller cannot hold shutdown for long."""
POLL_STEP = 0.05

BOT_FIRST_NAME = "Test First name"
BOT_USERNAME = "TestNameBot"
"""What telegram-test-api's ``getMe`` calls every bot; the shim uses the same in ``from``."""
DEFAULT_BOT_ID = 666
SYNTHETIC_MESSAGE_IDS_FROM = 1_000_000
"""Message ids for sends the emulator cannot store (photos...): far above its own counter."""

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"

# Form values PTB sends as plain strings that must stay strings even when they look like numbers,
# booleans or JSON (a person may well type "123" or "true").
_TEXT_PARAMS = frozenset(
    {
        "text",
        "caption",
        "data",
        "callback_query_id",
        "url",
        "parse_mode",
        "inline_message_id",
        "secret_token",
        "language_code",
        "name",
        "description",
        "short_description",
        "title",
        "question",
        "emoji",
        "action",
        "address",
        "query",
        "first_name",
        "last_name",
        "phone_number",
        "business_connection_id",
        "message_effect_id",
    }
)
_INTEGER = re.compile(r"-?\d+")


# ---------------------------------------------------------------------------------------------
# What tests read back
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedCall:
    """One Bot API call the bot made through the shim (``getUpdates`` is not recorded).

    ``params`` are decoded: ``reply_markup``/``commands`` are dicts/lists, ids are ints.
    """

    method: str
    params: dict[str, Any]
    at: float


@dataclass(frozen=True)
class BotReply:
    """A message the bot sent, as it stands now (after any edits).

    ``message`` is the Bot API ``Message`` the bot got back (and a user would see).
    ``reply_markup`` is the markup the bot asked for, of any kind: a ``ReplyKeyboardMarkup`` is
    kept here although, as in the real API, only inline keyboards appear inside ``message``.
    """

    chat_id: int
    message_id: int
    text: str | None
    reply_markup: dict[str, Any] | None
    message: dict[str, Any]
    edits: int

    def inline_buttons(self) -> list[dict[str, Any]]:
        """Every inline button, row by row, as Bot API ``InlineKeyboardButton`` dicts."""
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return [button for row in self.reply_markup["inline_keyboard"] for button in row]

    def callback_data(self) -> list[str]:
        """The ``callback_data`` a user could press, in keyboard order."""
        return [b["callback_data"] for b in self.inline_buttons() if "callback_data" in b]

    def button_texts(self) -> list[str]:
        """Labels of the keyboard's buttons (inline or reply keyboard), in order."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or self.reply_markup.get("keyboard") or []
        return [b if isinstance(b, str) else b["text"] for row in rows for b in row]


@dataclass(frozen=True)
class TelegramUser:
    """A person on the user side. ``language_code`` is what the Telegram app reports."""

    id: int
    first_name: str = "Sam"
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"

    def as_user(self) -> dict[str, Any]:
        """The Bot API ``User`` object for this person."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                user[key] = value
        return user

    def private_chat(self) -> dict[str, Any]:
        """The Bot API ``Chat`` of a one-to-one conversation with this person."""
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            chat["last_name"] = self.last_name
        if self.username is not None:
            chat["username"] = self.username
        return chat


# ---------------------------------------------------------------------------------------------
# Shared state between the shim (its own thread and loop) and the test thread
# ---------------------------------------------------------------------------------------------


@dataclass
class _SentMessage:
    message: dict[str, Any]
    reply_markup: dict[str, Any] | None
    edits: int = 0

    def snapshot(self) -> BotReply:
        message = copy.deepcopy(self.message)
        return BotReply(
            chat_id=message["chat"]["id"],
            message_id=message["message_id"],
            text=message.get("text", message.get("caption")),
            reply_markup=copy.deepcopy(self.reply_markup),
            message=message,
            edits=self.edits,
        )


@dataclass
class _BotState:
    """Everything the shim knows about one bot token; tokens never share state."""

    calls: list[RecordedCall] = field(default_factory=list)
    sent: dict[tuple[int, int], _SentMessage] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 1
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    last_user: dict[int, TelegramUser] = field(default_factory=dict)
    open_callbacks: set[str] = field(default_factory=set)
    webhook_url: str = ""


class _ShimState:
    """Thread-safe store: the shim writes from its loop, tests read from theirs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._bots: dict[str, _BotState] = {}
        self._synthetic_ids = itertools.count(SYNTHETIC_MESSAGE_IDS_FROM)

    def bot(self, token: str) -> _BotState:
        """The state for ``token``; call with ``self.lock`` held."""
        return self._bots.setdefault(token, _BotState())

    def next_synthetic_id(self) -> int:
        return next(self._synthetic_ids)

    def queue_update(self, token: str, update: dict[str, Any]) -> int:
        """Give ``update`` the next update id for ``token`` and queue it for ``getUpdates``."""
        with self.lock:
            bot = self.bot(token)
            update["update_id"] = bot.next_update_id
            bot.next_update_id += 1
            query = update.get("callback_query")
            if isinstance(query, dict) and "id" in query:
                bot.open_callbacks.add(str(query["id"]))
            bot.pending.append(update)
            return int(update["update_id"])


# ---------------------------------------------------------------------------------------------
# Repairs of the emulator's payloads
# ---------------------------------------------------------------------------------------------


def bot_id_for(token: str) -> int:
    """A real token starts with the bot's user id; the emulator says 666 for every bot."""
    prefix = token.split(":", 1)[0]
    return int(prefix) if prefix.isdigit() else DEFAULT_BOT_ID


def _bot_user(token: str) -> dict[str, Any]:
    return {
        "id": bot_id_for(token),
        "is_bot": True,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
    }


def _seconds(value: Any) -> int:
    """Bot API dates are Unix seconds; telegram-test-api stamps its own in milliseconds."""
    number = int(value)
    return number // 1000 if number > 10**11 else number


def _chat_instance(token: str, chat_id: int) -> str:
    """A stable stand-in for Telegram's opaque per-chat ``chat_instance`` string."""
    return str(-(zlib.crc32(f"{token}:{chat_id}".encode()) * 1_000_003 + 1))


def _fix_message(raw: Mapping[str, Any]) -> dict[str, Any]:
    message = {key: value for key, value in raw.items() if key != "botToken"}
    for key in ("date", "edit_date"):
        if key in message:
            message[key] = _seconds(message[key])
    return message


def _fix_update(token: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Turn one emulator update into a Bot API ``Update`` (``update_id`` set when queued)."""
    update: dict[str, Any] = {}
    for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if key in raw:
            update[key] = _fix_message(raw[key])
    if "callback_query" in raw:
        query = dict(raw["callback_query"])
        if "message" in query:
            query["message"] = _fix_message(query["message"])
            chat_id = int(query["message"]["chat"]["id"])
        else:
            chat_id = int(query["from"]["id"])
        query.setdefault("chat_instance", _chat_instance(token, chat_id))
        update["callback_query"] = query
    return update


def _decode_param(key: str, value: str) -> Any:
    """Undo PTB's form encoding: non-string values travel as JSON text."""
    if key in _TEXT_PARAMS:
        return value
    if value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    if _INTEGER.fullmatch(value):
        return int(value)
    if value in ("true", "false"):
        return value == "true"
    return value


async def _read_params(request: Request) -> dict[str, Any]:
    """Bot API parameters may come in the query string, as a form, multipart, or JSON."""
    params: dict[str, Any] = {k: _decode_param(k, v) for k, v in request.query_params.items()}
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    elif "form" in content_type:
        async with request.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    size = len(await value.read())
                    params[key] = f"<file {value.filename} ({size} bytes)>"
                else:
                    params[key] = _decode_param(key, value)
    return params


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(code: int, description: str) -> JSONResponse:
    """A Bot API error: PTB maps 400 to BadRequest, 409 to Conflict, and so on."""
    return JSONResponse(
        {"ok": False, "error_code": code, "description": description}, status_code=code
    )


def _as_chat_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    return None


def _inline_only(markup: Any) -> dict[str, Any] | None:
    """Only an inline keyboard is part of a ``Message``; other markups affect the user's app."""
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


class _UpstreamError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


_Handler = Callable[[str, dict[str, Any]], Awaitable[Response]]


class _Shim:
    """The ASGI app in front of the emulator. One instance serves every token."""

    def __init__(self, upstream_url: str, state: _ShimState) -> None:
        self.upstream_url = upstream_url
        self.state = state
        self.stopping = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx.AsyncClient | None = None
        self._pull_locks: dict[str, asyncio.Lock] = {}
        self._handlers: dict[str, _Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagereplymarkup": self._edit_reply_markup,
            "editmessagetext": self._edit_text,
            "answercallbackquery": self._answer_callback_query,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "deletemessage": self._delete_message,
        }
        self.app = Starlette(
            routes=[Route("/bot{token}/{method}", self._dispatch, methods=["GET", "POST"])],
            lifespan=self._lifespan,
        )

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        """Own the upstream client for the server's life so it is always closed."""
        self.loop = asyncio.get_running_loop()
        async with httpx.AsyncClient(base_url=self.upstream_url, timeout=10.0) as client:
            self._client = client
            yield
        self._client = None

    async def _dispatch(self, request: Request) -> Response:
        token = request.path_params["token"]
        method = request.path_params["method"]
        params = await _read_params(request)
        if method.lower() != "getupdates":
            with self.state.lock:
                self.state.bot(token).calls.append(RecordedCall(method, params, time.time()))
        handler = self._handlers.get(method.lower())
        try:
            if handler is not None:
                return await handler(token, params)
            if method.lower().startswith("send") and method.lower() != "sendchataction":
                return self._send_other(token, params)
            return _ok(True)  # setMyCommands, sendChatAction, ...: recorded above
        except _UpstreamError as error:
            return _error(error.code, error.description)

    async def _upstream(self, token: str, method: str, params: Mapping[str, Any]) -> Any:
        assert self._client is not None, "shim used outside its lifespan"
        response = await self._client.post(f"/bot{token}/{method}", json=dict(params))
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not body.get("ok"):
            description = body.get("description") or body.get("message") or response.text
            code = int(body.get("error_code") or response.status_code or 500)
            raise _UpstreamError(code if code >= 400 else 500, f"emulator: {description}")
        return body.get("result")

    # -- forwarded and repaired ------------------------------------------------------------

    async def _get_me(self, token: str, params: dict[str, Any]) -> Response:
        result = dict(await self._upstream(token, "getMe", params))
        result.update(
            id=bot_id_for(token),
            is_bot=True,
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
        )
        return _ok(result)

    async def pull(self, token: str) -> None:
        """Move the emulator's unread user updates for ``token`` into the shim's queue.

        The emulator marks updates read as it hands them out, so the shim keeps them until
        the bot confirms them with ``offset``, as Telegram does.
        """
        lock = self._pull_locks.setdefault(token, asyncio.Lock())
        async with lock:
            raw_updates = await self._upstream(token, "getUpdates", {})
            for raw in raw_updates or []:
                self.state.queue_update(token, _fix_update(token, raw))

    async def _get_updates(self, token: str, params: dict[str, Any]) -> Response:
        with self.state.lock:
            if self.state.bot(token).webhook_url:
                return _error(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_LONG_POLL)
        deadline = time.monotonic() + timeout
        while True:
            await self.pull(token)
            with self.state.lock:
                bot = self.state.bot(token)
                if offset > 0:
                    bot.pending = [u for u in bot.pending if u["update_id"] >= offset]
                batch = copy.deepcopy(bot.pending[:limit])
            if batch or time.monotonic() >= deadline or self.stopping.is_set():
                return _ok(batch)
            await asyncio.sleep(POLL_STEP)

    async def _send_message(self, token: str, params: dict[str, Any]) -> Response:
        chat_id = _as_chat_id(params.get("chat_id"))
        if chat_id is None:
            return _error(400, "Bad Request: chat not found")
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            return _error(400, "Bad Request: message text is empty")
        result = await self._upstream(token, "sendMessage", params)
        message: dict[str, Any] = {
            "message_id": int(result["message_id"]),
            "from": _bot_user(token),
            "chat": self._chat(token, chat_id),
            "date": _seconds(result.get("date", time.time())),
            "text": text,
        }
        if isinstance(params.get("entities"), list):
            message["entities"] = params["entities"]
        return _ok(self._record_sent(token, message, params.get("reply_markup")))

    # -- answered by the shim ----------------------------------------------------------------

    def _chat(self, token: str, chat_id: int) -> dict[str, Any]:
        """The chat as the user side described it; a private chat if nobody wrote from it."""
        with self.state.lock:
            known = self.state.bot(token).chats.get(chat_id)
        if known is not None:
            return dict(known)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Sam"}
        return {"id": chat_id, "type": "group", "title": "Test group"}

    def _record_sent(self, token: str, message: dict[str, Any], markup: Any) -> dict[str, Any]:
        inline = _inline_only(markup)
        if inline is not None:
            message["reply_markup"] = inline
        requested = markup if isinstance(markup, dict) else None
        with self.state.lock:
            key = (message["chat"]["id"], message["message_id"])
            self.state.bot(token).sent[key] = _SentMessage(copy.deepcopy(message), requested)
        return message

    def _send_other(self, token: str, params: dict[str, Any]) -> Response:
        """sendPhoto, sendDocument...: the emulator stores none of them, so make the message."""
        chat_id = _as_chat_id(params.get("chat_id"))
        if chat_id is None:
            return _error(400, "Bad Request: chat not found")
        message: dict[str, Any] = {
            "message_id": self.state.next_synthetic_id(),
            "from": _bot_user(token),
            "chat": self._chat(token, chat_id),
            "date": int(time.time()),
        }
        if isinstance(params.get("caption"), str):
            message["caption"] = params["caption"]
        return _ok(self._record_sent(token, message, params.get("reply_markup")))

    def _find_sent(self, token: str, params: dict[str, Any]) -> _SentMessage | None:
        chat_id = _as_chat_id(params.get("chat_id"))
        message_id = _as_chat_id(params.get("message_id"))
        if chat_id is None or message_id is None:
            return None
        return self.state.bot(token).sent.get((chat_id, message_id))

    async def _edit_reply_markup(self, token: str, params: dict[str, Any]) -> Response:
        if params.get("inline_message_id"):
            return _ok(True)  # Bot API: True for messages sent via inline mode
        markup = params.get("reply_markup")
        new_inline = _inline_only(markup)
        with self.state.lock:
            sent = self._find_sent(token, params)
            if sent is None:
                return _error(400, "Bad Request: message to edit not found")
            if new_inline == sent.message.get("reply_markup"):
                return _error(400, NOT_MODIFIED)
            if new_inline is None:
                sent.message.pop("reply_markup", None)
            else:
                sent.message["reply_markup"] = new_inline
            sent.reply_markup = new_inline
            sent.message["edit_date"] = int(time.time())
            sent.edits += 1
            return _ok(copy.deepcopy(sent.message))

    async def _edit_text(self, token: str, params: dict[str, Any]) -> Response:
        if params.get("inline_message_id"):
            return _ok(True)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            return _error(400, "Bad Request: message text is empty")
        new_inline = _inline_only(params.get("reply_markup"))
        with self.state.lock:
            sent = self._find_sent(token, params)
            if sent is None:
                return _error(400, "Bad Request: message to edit not found")
            if text == sent.message.get("text") and new_inline == sent.message.get("reply_markup"):
                return _error(400, NOT_MODIFIED)
            sent.message["text"] = text
            if new_inline is None:  # an edit without reply_markup drops the inline keyboard
                sent.message.pop("reply_markup", None)
            else:
                sent.message["reply_markup"] = new_inline
            sent.reply_markup = new_inline
            sent.message["edit_date"] = int(time.time())
            sent.edits += 1
            return _ok(copy.deepcopy(sent.message))

    async def _answer_callback_query(self, token: str, params: dict[str, Any]) -> Response:
        query_id = str(params.get("callback_query_id", ""))
        with self.state.lock:
            open_callbacks = self.state.bot(token).open_callbacks
            if query_id not in open_callbacks:
                return _error(400, QUERY_INVALID)
            open_callbacks.discard(query_id)
        return _ok(True)

    async def _set_webhook(self, token: str, params: dict[str, Any]) -> Response:
        """Record only: forwarding would make the emulator POST real updates to a fake URL."""
        url = params.get("url")
        if not isinstance(url, str) or not url:
            return _error(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        with self.state.lock:
            self.state.bot(token).webhook_url = url
        return _ok(True)

    async def _delete_webhook(self, token: str, params: dict[str, Any]) -> Response:
        if params.get("drop_pending_updates"):
            await self.pull(token)
            with self.state.lock:
                self.state.bot(token).pending.clear()
        with self.state.lock:
            self.state.bot(token).webhook_url = ""
        return _ok(True)

    async def _get_webhook_info(self, token: str, params: dict[str, Any]) -> Response:
        with self.state.lock:
            bot = self.state.bot(token)
            info = {
                "url": bot.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(bot.pending),
            }
        return _ok(info)

    async def _delete_message(self, token: str, params: dict[str, Any]) -> Response:
        with self.state.lock:
            sent = self._find_sent(token, params)
            if sent is not None:
                del self.state.bot(token).sent[
                    (sent.message["chat"]["id"], sent.message["message_id"])
                ]
        return _ok(True)  # a user's own message can be deleted too; the shim keeps none


# ---------------------------------------------------------------------------------------------
# Processes, and the API tests use
# ---------------------------------------------------------------------------------------------


class TelegramEmulatorError(RuntimeError):
    """The emulator or the shim could not be started (message says what to do)."""


class TelegramEmulator:
    """telegram-test-api in a node subprocess plus the shim on a uvicorn thread.

    One per test session is plenty: every test gets its own bot token, and the emulator and
    the shim keep each token's messages apart.
    """

    def __init__(self) -> None:
        self.state = _ShimState()
        self._node: subprocess.Popen[str] | None = None
        self._node_log: IO[str] | None = None
        self._shim: _Shim | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None
        self.emulator_url = ""
        self.shim_url = ""

    def __enter__(self) -> TelegramEmulator:
        """Outside pytest (a script, a REPL): ``with TelegramEmulator() as emulator: ...``."""
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """For ``Bot(token, base_url=...)`` / ``ApplicationBuilder().base_url(...)``."""
        return f"{self.shim_url}/bot"

    def start(self) -> None:
        """Start both servers or raise with the reason; on failure nothing is left running."""
        try:
            self._start_node()
            self._start_shim()
            self._client = httpx.Client(base_url=self.emulator_url, timeout=10.0)
        except BaseException:
            self.stop()
            raise

    def _start_node(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise TelegramEmulatorError("node is not on PATH; the Telegram emulator needs Node")
        if not (EMULATOR_PACKAGE / "package.json").is_file():
            raise TelegramEmulatorError(
                f"telegram-test-api is not installed in {TOOLS_DIR}: run scripts/install-tools"
            )
        env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
        env["WTFC_TOOLS_DIR"] = str(TOOLS_DIR)
        self._node_log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self._node = subprocess.Popen(
            [node, str(LAUNCHER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._node_log,
            text=True,
            env=env,
        )
        assert self._node.stdout is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        line = ""
        with selectors.DefaultSelector() as selector:
            selector.register(self._node.stdout, selectors.EVENT_READ)
            while not line.endswith("\n"):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    raise TelegramEmulatorError(
                        f"telegram-test-api did not start in {STARTUP_TIMEOUT:.0f}s"
                        f"{self._node_stderr()}"
                    )
                chunk = self._node.stdout.readline()
                if not chunk:
                    raise TelegramEmulatorError(f"telegram-test-api exited{self._node_stderr()}")
                line += chunk
        match = re.fullmatch(r"LISTENING (\d+)\n", line)
        if match is None:
            raise TelegramEmulatorError(f"unexpected output from the launcher: {line!r}")
        self.emulator_url = f"http://127.0.0.1:{match.group(1)}"

    def _node_stderr(self) -> str:
        if self._node_log is None:
            return ""
        self._node_log.seek(0)
        text = self._node_log.read().strip()
        return f":\n{text}" if text else ""

    def _start_shim(self) -> None:
        self._shim = _Shim(self.emulator_url, self.state)
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when the
        # listening socket says so, and without it every keep-alive reply waits ~40 ms for a
        # delayed ACK (Nagle), which made each Bot API call through the shim 40x slower.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))  # the OS picks a free port: no race with other tests
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._shim.app,
            loop="asyncio",
            http="h11",
            ws="none",
            lifespan="on",
            log_config=None,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=int(MAX_LONG_POLL),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._serve, args=(self._server, sock), name="telegram-shim", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive():
                raise TelegramEmulatorError("the Telegram shim stopped during start-up")
            if time.monotonic() > deadline:
                raise TelegramEmulatorError(f"the shim did not start in {STARTUP_TIMEOUT:.0f}s")
            time.sleep(0.02)
        self.shim_url = f"http://127.0.0.1:{port}"

    @staticmethod
    def _serve(server: uvicorn.Server, sock: socket.socket) -> None:
        with sock:
            server.run(sockets=[sock])

    def stop(self) -> None:
        """Stop the shim (ending long polls), then node; safe to call more than once."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._shim is not None:
            self._shim.stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=MAX_LONG_POLL + STOP_TIMEOUT)
            self._thread = None
        if self._node is not None:
            node, self._node = self._node, None
            if node.stdin is not None:
                node.stdin.close()  # the launcher shuts the emulator down when stdin closes
            try:
                node.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                node.terminate()
                try:
                    node.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    node.kill()
                    node.wait()
            if node.stdout is not None:
                node.stdout.close()
        if self._node_log is not None:
            self._node_log.close()
            self._node_log = None

    # -- used by TelegramHarness ---------------------------------------------------------------

    def post_client(self, path: str, payload: Mapping[str, Any]) -> None:
        """Call the emulator's user-client API (``/sendMessage``, ``/sendCallback``)."""
        if self._client is None:
            raise TelegramEmulatorError("the Telegram emulator is not running")
        response = self._client.post(path, json=dict(payload))
        response.raise_for_status()

    def pull(self, token: str) -> None:
        """Have the shim fetch what the user side queued, to keep update order exact."""
        if self._shim is None or self._shim.loop is None:
            raise TelegramEmulatorError("the Telegram shim is not running")
        future = asyncio.run_coroutine_threadsafe(self._shim.pull(token), self._shim.loop)
        future.result(timeout=STOP_TIMEOUT)

    def harness(self, token: str) -> TelegramHarness:
        """A view of the emulator for one bot token."""
        return TelegramHarness(self, token)


class TelegramHarness:
    """One bot token on the emulator: what the bot needs to connect, and a person's phone.

    The user-side methods are synchronous so they work from sync and async tests alike; they
    only talk to the emulator process and the shim's thread, never to the test's event loop.
    """

    def __init__(self, emulator: TelegramEmulator, token: str) -> None:
        self.emulator = emulator
        self.token = token
        self.bot_id = bot_id_for(token)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/bot``: PTB appends the token and method."""
        return self.emulator.base_url

    # -- the user side ---------------------------------------------------------------------

    def _remember(self, chat: Mapping[str, Any], user: TelegramUser) -> None:
        state = self.emulator.state
        with state.lock:
            bot = state.bot(self.token)
            bot.chats[int(chat["id"])] = dict(chat)
            bot.last_user[int(chat["id"])] = user

    def send_text(
        self,
        user: int | TelegramUser,
        text: str,
        *,
        chat: Mapping[str, Any] | None = None,
    ) -> None:
        """A person types ``text``. ``chat`` defaults to their private chat with the bot.

        A leading ``/command`` gets a ``bot_command`` entity, as Telegram's apps add one.
        For a group pass e.g. ``chat={"id": -4012345678, "type": "group", "title": "Friends"}``.
        """
        person = user if isinstance(user, TelegramUser) else TelegramUser(id=user)
        where = dict(chat) if chat is not None else person.private_chat()
        message: dict[str, Any] = {
            "botToken": self.token,
            "from": person.as_user(),
            "chat": where,
            "date": int(time.time()),
            "text": text,
        }
        command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
        if command is not None:
            message["entities"] = [{"offset": 0, "length": command.end(), "type": "bot_command"}]
        self._remember(where, person)
        self.emulator.post_client("/sendMessage", message)

    def send_callback(
        self,
        data: str,
        message_id: int,
        *,
        user: int | TelegramUser | None = None,
        chat_id: int | None = None,
        strict: bool = True,
    ) -> None:
        """A person presses the inline button carrying ``data`` under bot message ``message_id``.

        With ``strict`` (the default) the button must be on that message now, as in the real
        app: a test cannot press a button the bot never showed or has since removed.
        """
        reply = self._find_reply(message_id, chat_id)
        if strict and data not in reply.callback_data():
            raise ValueError(
                f"message {message_id} has no button {data!r}; it has {reply.callback_data()}"
            )
        if user is None:
            with self.emulator.state.lock:
                known = self.emulator.state.bot(self.token).last_user.get(reply.chat_id)
            person = known or TelegramUser(id=reply.chat_id)
        else:
            person = user if isinstance(user, TelegramUser) else TelegramUser(id=user)
        self.emulator.post_client(
            "/sendCallback",
            {
                "botToken": self.token,
                "from": person.as_user(),
                "message": reply.message,
                "data": data,
            },
        )

    def send_update(self, update: Mapping[str, Any]) -> int:
        """Deliver any Bot API ``Update`` (e.g. from ``load_update``) to the bot's next poll.

        For what the emulator cannot make (photos, stickers, voice, locations, channel posts,
        edits). The ``update_id`` is replaced to keep order; returns the new one.
        """
        self.emulator.pull(self.token)  # updates the user side sent earlier come first
        payload = copy.deepcopy(dict(update))
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            chat = payload.get(key, {}).get("chat")
            if chat is not None:
                with self.emulator.state.lock:
                    self.emulator.state.bot(self.token).chats[int(chat["id"])] = dict(chat)
        return self.emulator.state.queue_update(self.token, payload)

    # -- what the bot did -------------------------------------------------------------------

    def _find_reply(self, message_id: int, chat_id: int | None) -> BotReply:
        for reply in self.bot_replies(chat_id):
            if reply.message_id == message_id:
                return reply
        raise LookupError(f"the bot sent no message {message_id} (chat {chat_id})")

    def bot_replies(self, chat_id: int | None = None) -> list[BotReply]:
        """Messages the bot sent with this token, oldest first, as they stand after edits."""
        with self.emulator.state.lock:
            sent = list(self.emulator.state.bot(self.token).sent.values())
            replies = [item.snapshot() for item in sent]
        return [r for r in replies if chat_id is None or r.chat_id == chat_id]

    def recorded_calls(self, method: str | None = None) -> list[RecordedCall]:
        """Bot API calls the bot made (all but ``getUpdates``), optionally of one method.

        Method names compare case-insensitively, as the Bot API treats them.
        """
        with self.emulator.state.lock:
            calls = list(self.emulator.state.bot(self.token).calls)
        if method is None:
            return calls
        return [call for call in calls if call.method.lower() == method.lower()]

    async def wait_for_replies(
        self, count: int, *, chat_id: int | None = None, timeout: float = 5.0
    ) -> list[BotReply]:
        """Wait (without blocking the loop the bot runs on) until ``count`` replies exist."""
        deadline = time.monotonic() + timeout
        while True:
            replies = self.bot_replies(chat_id)
            if len(replies) >= count:
                return replies
            if time.monotonic() >= deadline:
                raise TimeoutError(f"expected {count} bot replies in {timeout}s, got {replies}")
            await asyncio.sleep(POLL_STEP)

    async def wait_for_calls(
        self, method: str, count: int = 1, *, timeout: float = 5.0
    ) -> list[RecordedCall]:
        """Wait until the bot has called ``method`` at least ``count`` times."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.recorded_calls(method)
            if len(calls) >= count:
                return calls
            if time.monotonic() >= deadline:
                raise TimeoutError(f"expected {count} {method} calls in {timeout}s, got {calls}")
            await asyncio.sleep(POLL_STEP)


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------

_token_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def telegram_emulator() -> Iterator[TelegramEmulator]:
    """The emulator and the shim, started once per session on free loopback ports."""
    emulator = TelegramEmulator()
    try:
        emulator.start()
    except TelegramEmulatorError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def telegram_harness(telegram_emulator: TelegramEmulator) -> TelegramHarness:
    """A fresh bot token per test, so no test sees another's messages or calls."""
    number = next(_token_numbers)
    return telegram_emulator.harness(f"{7_100_000_000 + number}:wtfc-test-token-{number}")
