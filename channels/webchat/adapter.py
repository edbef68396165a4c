"""The web chat as the app sees it: its page, its JSON endpoints and their static files.

It sends nothing through the outbox: replies come back in the HTTP answer, or the
page polls for those that were late (`polled` in collection/channel_facts.py).
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from channels.base import ChannelAdapter
from channels.webchat import router as webchat
from collection.outbox import Sender
from collection.runtime import Services


class WebChatAdapter:
    def router(self) -> APIRouter | None:
        routes = APIRouter()
        routes.include_router(webchat.router)
        routes.mount(
            "/chat/static", StaticFiles(directory=webchat.HERE / "static"), name="chat-static"
        )
        return routes

    def senders(self) -> dict[str, Sender]:
        return {}

    async def start(self, stopping: asyncio.Event) -> None:
        return None

    async def stop(self) -> None:
        return None


def adapter(services: Services) -> ChannelAdapter:
    return WebChatAdapter()
