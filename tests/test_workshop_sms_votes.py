"""Votes by text: `VOTE 2 5 7` through the signed Twilio webhook, the real intake and store."""

from __future__ import annotations

import httpx
import pytest

from bot.votes import parse_vote
from collection.runtime import Services
from collection.settings import Settings
from tests.support.admin import bearer, client
from tests.support.twilio_client import TwilioWebhookClient
from tests.support.workshop import API, lead_token
from tests.test_twilio_webhook import CONVERSATION, INTERNAL, _programme, twilio_settings
from wtfc.app import create_app

BASE = API.format(code="PARK")
PERSON_TWO = "+447700900456"


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("VOTE 2 5 7", (2, 5, 7)),
        ("vote 2,5,7", (2, 5, 7)),
        ("Vote: 2 and 5 and 7", (2, 5, 7)),
        ("VOTE", None),
        ("vote for the bus", None),
    ],
)
def test_vote_texts_are_read_like_picks(text: str, numbers: tuple[int, ...] | None) -> None:
    """The numbers after VOTE are read as picks are; words after VOTE are not numbers."""
    found = parse_vote(text)
    assert found is not None and found.numbers == numbers


def test_other_texts_are_not_votes() -> None:
    """A statement that merely mentions voting is not a vote."""
    assert parse_vote("Voting in the election") is None
    assert parse_vote("I want to vote") is None


async def _setup(services: Services, settings: Settings) -> TwilioWebhookClient:
    """The PARK programme and Twilio posting signed texts to the app."""
    await _programme(services)
    app = create_app(twilio_settings(settings), services=services, background=False)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=INTERNAL)
    return TwilioWebhookClient(http, signed_base=INTERNAL)


async def test_a_participant_votes_by_text_while_voting_is_open(
    services: Services, settings: Settings
) -> None:
    """Closed: a kind no. Open: the ballot counts, a muddled one is explained, a second replaces."""
    sms = await _setup(services, settings)
    async with sms.http:
        for body, _expected in CONVERSATION:  # takes part in PARK by text
            await sms.text(body)
        await sms.text("park", sender=PERSON_TWO)
        token = await lead_token(services)
        async with client(services) as api:
            ids = []
            for n in range(5):
                made = await api.post(
                    f"{BASE}/piles",
                    json={"category": "not_working", "name": f"I theme {n + 1}"},
                    headers=bearer(token),
                )
                ids.append(made.json()["id"])
            closed = await sms.text("VOTE 1 2 3")
            await api.put(f"{BASE}/voting", json={"open": True}, headers=bearer(token))
            muddled = await sms.text("VOTE 1 1 9")
            first = await sms.text("VOTE 1 2 3")
            second = await sms.text("vote 2, 4 and 5")
            other = await sms.text("VOTE 2 4 5", sender=PERSON_TWO)
            result = (await api.get(f"{BASE}/votes", headers=bearer(token))).json()
    assert "voting is not open" in closed.said
    assert "three different numbers" in muddled.said and "1 to 5" in muddled.said
    assert "Your vote for 1, 2, 3 is saved" in first.said
    assert "Your vote for 2, 4, 5 is saved" in second.said
    assert "saved" in other.said
    assert result["ballots"] == 2
    votes = {r["pile_id"]: r["votes"] for r in result["results"]}
    assert votes == {ids[0]: 0, ids[1]: 2, ids[2]: 0, ids[3]: 2, ids[4]: 2}


async def test_someone_who_never_took_part_is_answered_kindly(
    services: Services, settings: Settings
) -> None:
    """An address with no response gets the 'not open' answer and no ballot is stored."""
    sms = await _setup(services, settings)
    async with sms.http:
        answer = await sms.text("VOTE 1 2 3", sender="+447700900999")
    assert answer.status == 200 and "voting is not open" in answer.said
