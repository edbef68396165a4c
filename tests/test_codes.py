"""Programme codes: which ones may be created, and when a message counts as one.

A code that a person could send as an answer (digits, a keyword in any
language, JOIN) would move them out of the conversation they are in, so it is
refused wherever a programme is made: the admin form, the API and the CLI.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot import keywords, lobby
from collection.models import Programme
from collection.programmes import ProgrammeError, create_programme
from collection.runtime import Services
from collection.settings import Settings as AppSettings
from tests.support.admin import bearer, client, csrf_of, new_token, signed_in
from tests.support.fuzz import examples
from tests.test_admin_programmes import FORM
from tests.test_cli import _wtfc

REFUSED = ("13", "1234", "JOIN", "YMUNO", "DOLACZ", "SHAMIL", "TAK", "STOP", "CYMRAEG")


@pytest.mark.parametrize("code", REFUSED)
async def test_a_code_people_could_send_as_an_answer_is_refused(
    services: Services, code: str
) -> None:
    """Digits and words the bot knows (in any language) are never codes."""
    async with services.sessions() as session, session.begin():
        with pytest.raises(ProgrammeError):
            await create_programme(session=session, name="X", code=code)


def test_the_refusal_says_why() -> None:
    """The error names the reason in plain words."""
    assert "digits" in (lobby.code_refusal("13") or "")
    assert "word people send" in (lobby.code_refusal("JOIN") or "")
    assert lobby.code_refusal("FRIENDS") is None
    assert lobby.code_refusal("PARK2") is None


async def test_the_admin_form_refuses_a_digit_code(services: Services) -> None:
    """A lead typing 13 as the code gets the form back with the reason; nothing is made."""
    async with signed_in(services, "lead@example.org", "lead") as http:
        page = await http.get("/admin/programmes/new")
        answer = await http.post(
            "/admin/programmes/new",
            data={**FORM, "code": "13", "csrf_token": csrf_of(page.text)},
        )
    assert answer.status_code == 400
    assert "only digits" in answer.text
    async with services.sessions() as session:
        assert (await session.execute(select(Programme))).first() is None


async def test_the_api_refuses_a_keyword_code(services: Services) -> None:
    """POST /api/v1/programmes with code `join` answers 422 with the reason."""
    async with signed_in(services, "lead@example.org", "lead") as http:
        token = await new_token(http)
    async with client(services) as api:
        made = await api.post(
            "/api/v1/programmes",
            headers=bearer(token),
            json={"name": "Join us", "code": "join", "level": "unit"},
        )
    assert made.status_code == 422
    assert "word people send" in made.text


async def test_the_cli_refuses_a_digit_code(settings: AppSettings, services: Services) -> None:
    """`wtfc programme create --code 13` exits 2 with the reason."""
    made = _wtfc(settings, "programme", "create", "--name", "Thirteen", "--code", "13")
    assert made.returncode == 2
    assert "only digits" in made.stderr


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("JOIN FRIENDS", "FRIENDS"),
        ("join park", "PARK"),
        ("  Join  Park. ", "PARK"),
        ("YMUNO PARK", "PARK"),
        ("dołącz park", "PARK"),
        ("dolacz park", "PARK"),
        ("شامل PARK", "PARK"),
        ("/join park", "PARK"),
    ],
)
def test_join_names_a_code_in_every_language(text: str, code: str) -> None:
    """JOIN, YMUNO, DOŁĄCZ and شامل followed by one word name a code."""
    assert keywords.join_code(text) == code


@pytest.mark.parametrize(
    "text", ["join", "Join the club", "join in with friends", "I join PARK", "JOIN 🙂"]
)
def test_other_sentences_with_join_name_no_code(text: str) -> None:
    """Only the word followed by exactly one code-shaped word is a join."""
    assert keywords.join_code(text) is None


def test_mid_conversation_only_an_explicit_join_is_a_code() -> None:
    """In a conversation, `Friends` and `1 3` are answers; JOIN FRIENDS asks for FRIENDS."""
    current = lobby.Current("PARK", "Park", active=True)
    assert lobby.asked_code("Friends", None, current) is None
    assert lobby.asked_code("1 3", None, current) is None
    assert lobby.asked_code("JOIN FRIENDS", None, current) == lobby.Asked("FRIENDS", True)
    assert lobby.asked_code("park", None, current) == lobby.Asked("PARK", False)
    assert lobby.asked_code("anything", "FRIENDS", current) == lobby.Asked("FRIENDS", True)
    assert lobby.asked_code("Friends", None, None) == lobby.Asked("FRIENDS", False)
    assert lobby.asked_code("1 3", None, None) is None


@settings(max_examples=examples(500), deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=40),
        st.from_regex(r"[A-Za-z0-9 ,&.!]{1,20}", fullmatch=True),
        st.sampled_from(["1 3", "1,3", "13", "1 and 3", "Friends", "friends.", "OAK", "Join us"]),
    )
)
def test_no_answer_mid_conversation_asks_for_another_programme(text: str) -> None:
    """Whatever a person in a conversation sends, only `JOIN CODE` names another programme."""
    current = lobby.Current("PARK", "Park", active=True)
    asked = lobby.asked_code(text, None, current)
    assert asked is None or asked.code == "PARK" or asked.code == keywords.join_code(text)
