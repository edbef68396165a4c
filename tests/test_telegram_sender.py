"""Sending to Telegram through the outbox: picker edits in place, limits, retries and opt-outs.

Telegram's answers (429 with retry_after, 403 blocked, 400 not modified...) come from the offline
request class; the outbox, the pacer rows and the participants are the real database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.model import Button, Group, Reply
from channels.telegram.lifecycle import TelegramChannel
from channels.telegram.sender import CHAT_BURST
from collection.models import OutboxMessage, Participant
from collection.outbox import Dispatcher, queue_reply
from collection.pacing import FakePaceClock
from collection.participants import get_locked
from collection.runtime import Services
from tests.support.telegram_offline import OfflineBotApi, offline_channel

CHAT = 5012345678
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


pytestmark = pytest.mark.settings(
    TELEGRAM_BOT_TOKEN="7123456789:offline-test-token",
)


@dataclass
class Line:
    """One chat's outbox and the dispatcher that empties it."""

    services: Services
    api: OfflineBotApi
    channel: TelegramChannel
    dispatcher: Dispatcher
    participant_id: int

    async def queue(self, *replies: Reply) -> list[int]:
        async with self.services.sessions() as session, session.begin():
            rows = [
                queue_reply(
                    session=session,
                    channel="telegram",
                    participant_id=self.participant_id,
                    reply=reply,
                    language="en",
                    kind="reply",
                )
                for reply in replies
            ]
            await session.flush()
            return [row.id for row in rows]

    async def drain(self) -> None:
        while await self.dispatcher.run_once():
            pass

    async def row(self, row_id: int) -> OutboxMessage:
        async with self.services.sessions() as session:
            found = await session.get(OutboxMessage, row_id)
            assert found is not None
            return found


@pytest.fixture
async def line(services: Services) -> AsyncIterator[Line]:
    api = OfflineBotApi()
    channel = offline_channel(services, api)
    async with services.sessions() as session, session.begin():
        participant = await get_locked(
            session=session, vault=services.vault, channel="telegram", address=str(CHAT)
        )
        assert participant is not None
        participant_id = participant.id
    dispatcher = Dispatcher(services.sessions, services.vault, {"telegram": channel.sender})
    yield Line(services, api, channel, dispatcher, participant_id)
    await channel.close()


def _picker(
    ticked: tuple[int, ...] = (), *, edit: bool = False, turn: int = 8, key: str = "ask_pick"
) -> Reply:
    items = ("Going out", "My flat", "My dog")
    buttons = tuple(Button(t, f"TICK {n}", literal=True) for n, t in enumerate(items, 1))
    return Reply(
        key=key,
        groups=(Group(items=items),),
        buttons=(*buttons, Button("btn_confirm", "CONFIRM")),
        ticked=ticked,
        edit=edit,
        turn=turn,
    )


def _labels(markup: dict[str, list[list[dict[str, str]]]]) -> list[str]:
    return [button["text"] for row in markup["inline_keyboard"] for button in row]


async def test_a_tick_edits_the_picker_keyboard_in_place(line: Line) -> None:
    """The redraw is editMessageReplyMarkup on the picker's own message, not a new message."""
    [first] = await line.queue(_picker())
    await line.drain()
    [sent] = line.api.called("sendMessage")
    picker_id = int(str((await line.row(first)).provider_id))
    [tick] = await line.queue(_picker((2,), edit=True, turn=9))
    await line.drain()
    [edit] = line.api.called("editMessageReplyMarkup")
    assert (edit["chat_id"], edit["message_id"]) == (CHAT, picker_id)
    assert _labels(edit["reply_markup"]) == ["1) Going out", "\u2705 2) My flat", "3) My dog"]
    assert edit["reply_markup"]["inline_keyboard"][1][0]["callback_data"] == "9:TICK 2"
    assert len(line.api.called("sendMessage")) == 1 and sent["chat_id"] == CHAT
    row = await line.row(tick)
    assert (row.status, row.provider_id) == ("sent", str(picker_id))


async def test_the_second_tick_brings_confirm_and_edits_the_same_message(line: Line) -> None:
    """Edits chain: each finds the picker through the previous edit's row."""
    await line.queue(_picker())
    await line.drain()
    await line.queue(_picker((1,), edit=True, turn=9), _picker((1, 3), edit=True, turn=10))
    await line.drain()
    first, second = line.api.called("editMessageReplyMarkup")
    assert first["message_id"] == second["message_id"]
    assert _labels(second["reply_markup"])[-1] == "Confirm"
    assert second["reply_markup"]["inline_keyboard"][-1][0]["callback_data"] == "10:CONFIRM"


async def test_a_redraw_with_other_words_edits_the_text_too(line: Line) -> None:
    """When the question's text changes, editMessageText carries text and keyboard."""
    await line.queue(_picker())
    await line.drain()
    await line.queue(_picker((1,), edit=True, key="pick_invalid"))
    await line.drain()
    [edit] = line.api.called("editMessageText")
    assert edit["text"].startswith("Sorry, please reply with two different numbers")
    assert "reply_markup" in edit
    assert line.api.called("editMessageReplyMarkup") == []


async def test_a_redraw_that_changes_nothing_is_sent(line: Line) -> None:
    """Telegram's "message is not modified" means the picker already looks right."""
    await line.queue(_picker())
    await line.drain()
    line.api.fail_next("editMessageReplyMarkup", 400, NOT_MODIFIED)
    [redraw] = await line.queue(_picker(edit=True))
    await line.drain()
    assert (await line.row(redraw)).status == "sent"
    assert len(line.api.called("sendMessage")) == 1


async def test_a_picker_that_cannot_be_edited_is_sent_anew(line: Line) -> None:
    """Deleted by the person (or too old): the redraw becomes a new picker message."""
    await line.queue(_picker())
    await line.drain()
    line.api.fail_next("editMessageReplyMarkup", 400, "Bad Request: message to edit not found")
    [redraw] = await line.queue(_picker((1,), edit=True))
    await line.drain()
    first, second = line.api.called("sendMessage")
    assert _labels(second["reply_markup"])[0] == "\u2705 1) Going out"
    row = await line.row(redraw)
    assert row.status == "sent" and row.provider_id != str(first.get("message_id"))


async def test_a_redraw_after_another_message_is_a_new_picker(line: Line) -> None:
    """Only the last message is edited: an old picker up the chat would go unseen."""
    await line.queue(_picker(), Reply(key="ask_second_pick"))
    await line.drain()
    await line.queue(_picker((1,), edit=True))
    await line.drain()
    assert line.api.called("editMessageReplyMarkup") == []
    assert len(line.api.called("sendMessage")) == 3


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_control_is_retried_after_telegrams_retry_after(line: Line) -> None:
    """429 with retry_after 7: the row waits 7 s, not the usual backoff."""
    line.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    [row_id] = await line.queue(Reply(key="help"))
    before = datetime.now(UTC)
    await line.dispatcher.run_once()
    row = await line.row(row_id)
    assert row.status == "queued" and row.attempts == 1
    assert row.last_error == "429: flood control"
    wait = row.next_attempt_at - before
    assert timedelta(seconds=6) < wait < timedelta(seconds=9)


async def test_a_person_who_blocked_the_bot_is_opted_out(line: Line) -> None:
    """403 "bot was blocked by the user": opted out, and their other messages are cancelled."""
    line.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    first, second = await line.queue(Reply(key="help"), Reply(key="reminder"))
    await line.drain()
    assert (await line.row(first)).status == "failed"
    assert (await line.row(second)).status == "cancelled"
    async with line.services.sessions() as session:
        participant = await session.get(Participant, line.participant_id)
        assert participant is not None and participant.opted_out
    assert len(line.api.called("sendMessage")) == 1


async def test_telegram_being_down_is_retried_later(line: Line) -> None:
    """502 Bad Gateway: a transient failure, retried through the outbox with backoff."""
    line.api.fail_next("sendMessage", 502, "Bad Gateway")
    [row_id] = await line.queue(Reply(key="help"))
    await line.dispatcher.run_once()
    row = await line.row(row_id)
    assert row.status == "queued" and row.attempts == 1
    assert row.next_attempt_at > datetime.now(UTC)


async def test_a_refused_message_is_not_retried(line: Line) -> None:
    """400 "chat not found" will not get better: the row fails with the reason."""
    line.api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    [row_id] = await line.queue(Reply(key="help"))
    await line.drain()
    row = await line.row(row_id)
    assert (row.status, row.last_error) == ("failed", "400: Chat not found")


async def test_one_chat_gets_a_short_burst_then_one_message_a_second(line: Line) -> None:
    """Telegram: about one message a second in a chat. Three go at once, then one a second."""
    clock = FakePaceClock()
    line.channel.sender.clock = clock
    await line.queue(*(Reply(key="help") for _ in range(CHAT_BURST + 2)))
    await line.drain()
    assert len(line.api.called_at("sendMessage")) == CHAT_BURST + 2
    # The schedule the chat's pacer gave out, in seconds after the first send.
    assert [slot - clock.released[0] for slot in clock.released] == [0] * CHAT_BURST + [1, 2]


async def test_the_overall_limit_is_the_dispatchers_pace_key(line: Line) -> None:
    """30 a second overall (TELEGRAM_MPS), shared by every process through the pacer row."""
    assert line.channel.sender.pace_key == "telegram"
    assert line.channel.sender.messages_per_second == 30.0
    key = line.channel.sender.chat_pace_key(str(CHAT))
    assert str(CHAT) not in key and len(key) <= 60


async def test_chat_ids_never_reach_the_log(line: Line, caplog: pytest.LogCaptureFixture) -> None:
    """Failures are logged by reason, never by chat."""
    line.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await line.queue(Reply(key="help"))
    with caplog.at_level("DEBUG"):
        await line.drain()
    assert caplog.records
    assert all(str(CHAT) not in record.getMessage() for record in caplog.records)


async def test_the_sent_messages_are_rows_of_the_person(line: Line) -> None:
    """provider_id is the Telegram message id (what a later edit needs)."""
    await line.queue(Reply(key="help"))
    await line.drain()
    async with line.services.sessions() as session:
        [row] = (await session.execute(select(OutboxMessage))).scalars()
    assert row.provider_id == "500"
