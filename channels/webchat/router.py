"""HTTP routes of the web chat: the page, and one JSON endpoint per message sent.

Each browser session is its own participant (`web` channel, a random token the
page keeps in sessionStorage); "Next person" throws the token away so the next
person starts fresh. Replies come back in the HTTP answer, through the same
intake transaction as every other channel.

Because the visitor's page makes the session id up, a script could be a new
"person" with every message: a message from a session never seen before counts
as a new conversation, limited per client address and per programme (settings
WTFC_FLOOD_NEW_PER_*), unless it comes from a kiosk the admin registered (the
kiosk link's `key`, see collection/kiosk.py). Past a limit the answer is a kind
429 in the person's language, and nothing is stored.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from bot.languages import first_language
from bot.lobby import CODE_PATTERN, normalise_code
from channels.i18n import is_rtl, message
from channels.render import button_label, reply_text
from collection.flood import SharedCounter, TooManyMessagesError, check_new_conversation
from collection.intake import InboundMessage
from collection.kiosk import is_kiosk
from collection.models import Programme
from collection.participants import exists
from collection.programmes import get_by_code
from collection.runtime import Services

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter()

MAX_TEXT = 5000
KIOSK_IDLE_SECONDS = 300
"""A kiosk left alone this long starts over for the next person (their answers are kept)."""


class ChatMessage(BaseModel):
    """One message typed (or a button tapped) in the web chat."""

    code: str = Field(max_length=20)
    session: uuid.UUID
    message_id: uuid.UUID
    """Made by the page per message, so a resend after a network blip is not stored twice."""
    text: str = Field(default="", max_length=MAX_TEXT)
    kind: Literal["text", "button", "join"] = "text"
    turn: int | None = None
    kiosk_key: str | None = Field(default=None, max_length=64)
    """The kiosk link's `key`: a kiosk the admin registered starts conversations freely."""


class ChatButton(BaseModel):
    label: str
    value: str


class ChatReply(BaseModel):
    text: str
    buttons: list[ChatButton]
    edit: bool
    ticked: list[int]
    turn: int


class ChatAnswer(BaseModel):
    replies: list[ChatReply]
    language: str
    direction: Literal["ltr", "rtl"]


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _public_programme(session: AsyncSession, code: str) -> Programme | None:
    """The programme behind a code, unless it is a draft: a draft is being prepared, and
    the chat says nothing about it (no name, no languages), exactly as for a wrong code."""
    programme = await get_by_code(session=session, code=code) if code else None
    if programme is None or programme.status == "draft":
        return None
    return programme


@router.get("/chat", response_class=HTMLResponse)
async def chat_page(
    request: Request,
    code: str = "",
    kiosk: bool = False,
    key: Annotated[str, Query(max_length=64)] = "",
    idle: Annotated[int, Query(ge=10, le=3600)] = KIOSK_IDLE_SECONDS,
    accept_language: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    """The chat page. On the kiosk (`kiosk=1`) the screen clears itself after `idle`
    seconds without a touch, so the next person never sees what the last one wrote."""
    services = _services(request)
    async with services.sessions() as session:
        programme = await _public_programme(session, code)
    languages = list(programme.languages) if programme else ["en"]
    language = first_language(languages, accept_language)
    return templates.TemplateResponse(
        request,
        "chat.html",
        {
            "code": programme.code if programme else "",
            "name": programme.name if programme else "",
            "kiosk": kiosk,
            "kiosk_key": key
            if programme and is_kiosk(_secret(request), programme.code, key)
            else "",
            "idle_seconds": idle,
            "language": language,
            "direction": "rtl" if is_rtl(language) else "ltr",
            "t": lambda key: message(key, language),
        },
    )


@router.post("/chat/messages", response_model=None)
async def chat_message(
    request: Request,
    body: ChatMessage,
    accept_language: Annotated[str | None, Header()] = None,
) -> ChatAnswer | JSONResponse:
    services = _services(request)
    join = body.kind == "join"
    if join:
        async with services.sessions() as session:
            if await _public_programme(session, body.code) is None:
                raise HTTPException(404, "No programme has that code.")
    try:
        if not is_kiosk(_secret(request), body.code, body.kiosk_key):
            await _count_if_new(request, services, body)
        result = await services.intake.handle(
            InboundMessage(
                channel="web",
                address=str(body.session),
                text=body.code if join else body.text,
                external_id=str(body.message_id),
                kind="button" if body.kind == "button" else "text",
                turn=body.turn,
                join_code=body.code if join else None,
                language_hint=accept_language,
            )
        )
    except TooManyMessagesError as error:
        return _busy(error, accept_language)
    language = result.language
    return ChatAnswer(
        replies=[
            ChatReply(
                text=reply_text(reply, language),
                buttons=[
                    ChatButton(label=button_label(b.label, b.literal, language), value=b.value)
                    for b in reply.buttons
                ],
                edit=reply.edit,
                ticked=list(reply.ticked),
                turn=reply.turn,
            )
            for reply in result.replies
        ],
        language=language,
        direction="rtl" if is_rtl(language) else "ltr",
    )


def _secret(request: Request) -> str:
    secret: str = request.app.state.settings.secret_key
    return secret


async def _count_if_new(request: Request, services: Services, body: ChatMessage) -> None:
    """A session never seen before is a new conversation: count it against the limits."""
    async with services.sessions() as session:
        if await exists(
            session=session, vault=services.vault, channel="web", address=str(body.session)
        ):
            return
    await check_new_conversation(
        services.intake.counter or SharedCounter(services.sessions),
        services.new_conversation_limits,
        client=services.vault.lookup_hash(
            "client-ip:" + (request.client.host if request.client else "unknown")
        ),
        programme=_counted_code(body.code),
        now=services.intake.clock().timestamp(),
    )


def _busy(error: TooManyMessagesError, accept_language: str | None) -> JSONResponse:
    """A kind 429: the page shows `detail` to the person and stops sending."""
    language = first_language(["en", "cy", "pl", "ur"], accept_language)
    retry = int(error.retry_after) + 1
    return JSONResponse(
        {"detail": message("web_busy", language), "retry_after": retry},
        status_code=429,
        headers={"Retry-After": str(retry)},
    )


def _counted_code(code: str) -> str:
    """The programme a new conversation counts against; a code no programme could have
    (a NUL, emoji: text PostgreSQL may refuse) counts in one bucket of its own."""
    wanted = normalise_code(code)
    return wanted if CODE_PATTERN.match(wanted) else "-"
