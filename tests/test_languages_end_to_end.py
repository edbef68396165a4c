"""A whole conversation in each language, with that language's keywords, by web chat and SMS.

The person starts in the programme's first language (Welsh, Polish, Urdu or easy
read), answers with their own words for YES, HELP, BACK and DONE, and every reply
comes back in that language; their statements are stored with the language.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from sqlalchemy import select

from bot import keywords
from channels.i18n import message
from collection.models import Statement
from collection.programmes import create_programme
from collection.runtime import Services
from collection.settings import Settings
from tests.support.twilio_client import AUTH_TOKEN, TwilioWebhookClient
from wtfc.app import create_app

LANGUAGES = ["cy", "pl", "ur", "en@easyread"]
STATEMENTS = {
    "cy": ["Mynd i'r caffi gyda fy ffrind", "Mae'r staff yn gwrando", "Coginio fy swper"],
    "pl": ["Spacer z psem w parku", "Opiekunka mnie słucha", "Gotuję sam obiad"],
    "ur": ["میں اپنی بہن سے ملنے جاتا ہوں", "عملہ میری بات سنتا ہے", "میں خود کھانا پکاتا ہوں"],
    "en@easyread": ["Going to the park", "My key worker", "Cooking tea"],
}

Say = Callable[[str], Awaitable[str]]


pytestmark = pytest.mark.settings(
    WTFC_PUBLIC_URL="https://wtfc.example.org",
    TWILIO_AUTH_TOKEN=AUTH_TOKEN,
)


def _word(language: str, keyword: str) -> str:
    for word, meaning in keywords.BY_LANGUAGE.get(language, {}).items():
        if meaning == keyword:
            return word
    return keyword.lower()  # easy read uses the English words


def _opening(key: str, language: str) -> str:
    """The first words of a message in a language (before any placeholder)."""
    text = message(key, language).split("{")[0].strip()
    return text[:25]


@pytest.fixture
async def http(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, services=services, background=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://wtfc.example.org"
    ) as client:
        yield client


async def _programme(services: Services, language: str) -> None:
    async with services.sessions() as session, session.begin():
        await create_programme(
            session=session, name="Park", code="PARK", purpose="", languages=[language, "en"]
        )


async def _conversation(say: Say, language: str, reachable: bool) -> None:
    yes, done, help_, back = (_word(language, k) for k in ("YES", "DONE", "HELP", "BACK"))
    first, second, third = STATEMENTS[language]
    steps: list[tuple[str, list[str]]] = [
        ("PARK", ["welcome", "ask_consent"]),
        (help_, ["help", "ask_consent"]),
        (yes, ["ask_perspective"]),
        ("1", ["ask_working"]),
        (first, ["got_statement"]),
        ("typo", ["got_statement"]),
        (back, ["removed_last", "ask_working"]),
        (second, ["got_statement"]),
        (third, ["got_statement"]),
        (done, ["ask_pick"]),
        ("1 3", ["ask_not_working"]),
        (done, ["ask_future"]),
        (done, ["summary"]),
        (yes, ["ask_followup"] if reachable else ["goodbye"]),
    ]
    for text, keys in steps:
        said = await say(text)
        for key in keys:
            assert _opening(key, language) in said, (language, text, key, said)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_web_chat_in_each_language(
    http: httpx.AsyncClient, services: Services, language: str
) -> None:
    """The kiosk conversation in the language, keywords included; statements keep it."""
    await _programme(services, language)
    session = str(uuid.uuid4())

    async def say(text: str) -> str:
        kind = "join" if text == "PARK" else "text"
        answer = await http.post(
            "/chat/messages",
            json={
                "code": "PARK",
                "session": session,
                "message_id": str(uuid.uuid4()),
                "text": text,
                "kind": kind,
            },
        )
        assert answer.status_code == 200
        assert answer.json()["direction"] == ("rtl" if language == "ur" else "ltr")
        return "\n".join(r["text"] for r in answer.json()["replies"])

    await _conversation(say, language, reachable=False)
    await _stored_in(services, language)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_sms_in_each_language(
    http: httpx.AsyncClient, services: Services, language: str
) -> None:
    """The same conversation by text message, through the signed Twilio webhook."""
    await _programme(services, language)
    twilio = TwilioWebhookClient(http, signed_base="https://wtfc.example.org")

    async def say(text: str) -> str:
        answer = await twilio.text(text, sender="+447400111222")
        assert answer.status == 200
        return answer.said

    await _conversation(say, language, reachable=True)
    await _stored_in(services, language)


async def _stored_in(services: Services, language: str) -> None:
    async with services.sessions() as session:
        rows = (await session.execute(select(Statement.text, Statement.language))).all()
    assert sorted(text for text, _ in rows) == sorted(STATEMENTS[language])
    assert {lang for _, lang in rows} == {language}
