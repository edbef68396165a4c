"""Twilio's Advanced Opt-Out and ours agree: `OptOutType` is honoured, and never answered twice.

With Advanced Opt-Out on a Messaging Service, Twilio recognises STOP, START and
HELP (and any custom words, e.g. Welsh ones, set on the service), answers them
itself, and posts the message to our webhook with `OptOutType`. We change the
person's state as the keyword says and answer with an empty TwiML response.
Signed with the twilio library's own `RequestValidator`, through the real intake.
"""

from __future__ import annotations

from sqlalchemy import func, select

from collection.models import InboundLog, Participant, Response, Statement
from collection.runtime import Services
from tests.support.twilio_client import TwilioWebhookClient
from tests.test_twilio_webhook import CONVERSATION, STOPPED, twilio

__all__ = ["twilio"]  # the fixture: Twilio posting to the app


async def _person(services: Services) -> Participant:
    async with services.sessions() as session:
        return (await session.execute(select(Participant))).scalar_one()


async def _statements(services: Services) -> list[str]:
    async with services.sessions() as session:
        return list((await session.execute(select(Statement.text))).scalars())


async def _advanced(twilio: TwilioWebhookClient, body: str, kind: str) -> list[str]:
    """A message Twilio's Advanced Opt-Out recognised as `kind` (and already answered)."""
    answer = await twilio.text(body, extra={"OptOutType": kind})
    assert answer.status == 200
    return answer.messages


async def test_a_custom_stop_word_opts_out_without_a_second_answer(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """'DIWEDD', set as a STOP word on the service: opted out here, no answer, not a statement."""
    for sent, _ in CONVERSATION[:4]:
        await twilio.text(sent)
    assert await _advanced(twilio, "DIWEDD", "STOP") == []
    assert (await _person(services)).opted_out
    assert "DIWEDD" not in await _statements(services)
    async with services.sessions() as session:
        assert (await session.execute(select(Response.status))).scalar_one() == "partial"
    assert (await twilio.text("Going out")).messages == []  # silence until START


async def test_start_opts_back_in_without_a_second_answer(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """START recognised by Twilio: opted back in here too, and Twilio's answer is the only one."""
    for sent, _ in CONVERSATION[:4]:
        await twilio.text(sent)
    await _advanced(twilio, "STOP", "STOP")
    assert await _advanced(twilio, "AILDECHRAU", "START") == []
    assert not (await _person(services)).opted_out
    assert "That's 2 so far" in (await twilio.text("My own flat")).said


async def test_help_is_answered_by_twilio_alone_and_changes_nothing(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """HELP recognised by Twilio: no answer from us; the conversation carries on where it was."""
    for sent, _ in CONVERSATION[:3]:
        await twilio.text(sent)
    assert await _advanced(twilio, "CYMORTH", "help") == []
    assert "That's 1 so far" in (await twilio.text("Going to the pub")).said
    assert await _statements(services) == ["Going to the pub"]


async def test_without_advanced_opt_out_our_own_answers_stand(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """No OptOutType (Twilio's default handling): our STOP confirmation goes as before."""
    await twilio.text("PARK")
    assert STOPPED in (await twilio.text("STOP")).said
    assert (await _person(services)).opted_out


async def test_an_unknown_opt_out_type_is_an_ordinary_message(
    twilio: TwilioWebhookClient, services: Services
) -> None:
    """A value Twilio does not document is ignored: the words are the person's answer."""
    for sent, _ in CONVERSATION[:3]:
        await twilio.text(sent)
    answer = await twilio.text("Going out", extra={"OptOutType": "MAYBE"})
    assert "That's 1 so far" in answer.said
    async with services.sessions() as session:
        logged = await session.scalar(select(func.count()).select_from(InboundLog))
    assert logged == 4
