"""What each prompt costs by SMS, and the limits: 2 segments a prompt, 3 for a list.

`segment_table` renders every message key in `bot.messages.MESSAGES` the way
the SMS channel sends it, with realistic parameters (a programme's purpose
sentence, five statements of the length people write), in every language.
Run with ``-s`` to see it.
"""

from __future__ import annotations

import pytest

from bot.messages import MESSAGES
from bot.model import Group, Reply
from bot.parsing import preview
from channels.i18n import LOCALE_DIRS
from channels.twilio.render import (
    LIST_SEGMENTS,
    PROMPT_SEGMENTS,
    message_bodies,
    sms_text,
    whatsapp_text,
)
from channels.twilio.segments import encoding, segments

PARAMS: dict[str, str | int] = {
    "name": "Riverside Day Centre",
    "purpose": (
        "We are using Working Together for Change to improve day services so that people "
        "get more say in their support."
    ),
    "code": "RIVER",
    "words": "CYMRAEG, POLSKI, URDU",
    "text": preview("My support worker comes on time and always listens to what I want to do"),
    "count": 2,
}
"""Realistic values: the purpose is the kind of sentence the method asks leads to write."""

STATEMENTS = tuple(
    preview(text)
    for text in (
        "My support worker comes on time and always listens to what I want to do that day",
        "Going to the day centre on Tuesdays where I see my friends and we play dominoes",
        "The bus into town is never on time and the driver doesn't wait for me to sit down",
        "Having my own front door key and choosing when I go out and when I come home",
        "Being able to cook my own tea with a bit of help rather than having meals brought in",
        "My sister visits on Sundays",
        "Going swimming with my friend",
        "The garden at the back of the house",
        "Learning to use my phone to check the bus times",
        "Paying my own bills with a bit of help from my keyworker",
    )
)
"""What people write, as the engine keeps it for lists (60 characters, then an ellipsis)."""

LISTS: dict[str, Reply] = {
    "ask_pick": Reply(key="ask_pick", groups=(Group(items=STATEMENTS[:5]),)),
    "pick_invalid": Reply(key="pick_invalid", groups=(Group(items=STATEMENTS[:5]),)),
    "you_said": Reply(key="you_said", groups=(Group(items=STATEMENTS[:5]),)),
    "ask_segment": Reply(
        key="ask_segment", groups=(Group(items=("Homecare", "Day services", "Supported living")),)
    ),
    "ask_language": Reply(
        key="ask_language", groups=(Group(items=("English", "Cymraeg", "Polski", "اردو")),)
    ),
    "summary": Reply(
        key="summary",
        groups=(
            Group(items=STATEMENTS[0:2], label="label_working"),
            Group(items=STATEMENTS[2:4], label="label_not_working"),
            Group(items=STATEMENTS[4:6], label="label_future"),
        ),
        footer="ask_confirm",
    ),
}
"""The replies that carry lists, as the engine builds them (five statements, six picks)."""


def sample_reply(key: str) -> Reply:
    """The reply for `key` as the engine sends it, with realistic parameters."""
    return LISTS.get(key) or Reply(key=key, params=tuple(PARAMS.items()))


def segment_table() -> dict[str, dict[str, str]]:
    """Segments per message key and language, "U" marking UCS-2 (70 characters a segment)."""
    table: dict[str, dict[str, str]] = {}
    for key in MESSAGES:
        row = table.setdefault(key, {})
        for language in LOCALE_DIRS:
            text = sms_text(sample_reply(key), language)
            row[language] = f"{segments(text)}{' U' if encoding(text) == 'UCS-2' else ''}"
    return table


def _limit(key: str) -> int:
    return LIST_SEGMENTS if key in LISTS else PROMPT_SEGMENTS


def test_every_prompt_has_its_segment_count_and_english_is_within_the_limits() -> None:
    """The table of every prompt: no English prompt over 2 segments, no English list over 3."""
    table = segment_table()
    languages = list(LOCALE_DIRS)
    print("\n" + "message".ljust(24) + "".join(lang.rjust(13) for lang in languages))
    for key, row in table.items():
        print(key.ljust(24) + "".join(row[lang].rjust(13) for lang in languages))
    assert set(table) == set(MESSAGES)
    over = {key: row["en"] for key, row in table.items() if int(row["en"].split()[0]) > _limit(key)}
    assert over == {}
    ucs2 = [key for key, row in table.items() if not row["en"].isdigit()]
    assert ucs2 == ["ask_language"]  # only because it names Urdu in its own script


@pytest.mark.parametrize("language", list(LOCALE_DIRS))
@pytest.mark.parametrize("key", [key for key in LISTS if key != "summary"])
def test_lists_fit_three_segments_in_every_language(key: str, language: str) -> None:
    """The pick question (five statements) and the other lists fit 3 segments, UCS-2 included."""
    assert segments(sms_text(LISTS[key], language)) <= LIST_SEGMENTS


@pytest.mark.parametrize("language", list(LOCALE_DIRS))
def test_the_summary_fits_three_segments_unless_ucs2_leaves_no_room(language: str) -> None:
    """Six picks with headings fit 3 GSM-7 segments; in UCS-2 (70 a segment) they take 4.

    Cutting six statements to fit 201 UCS-2 characters beside the headings would
    leave a few letters each: `MIN_ITEM` keeps them readable, at one more segment.
    """
    text = sms_text(LISTS["summary"], language)
    limit = LIST_SEGMENTS if encoding(text) == "GSM-7" else LIST_SEGMENTS + 1
    assert segments(text) <= limit


def test_each_long_statement_is_cut_at_a_word_with_an_ellipsis() -> None:
    """To fit, long statements lose their ends ("..."), short ones stay whole, order is kept."""
    items = ("😊 " + STATEMENTS[0], *STATEMENTS[1:5])  # one emoji: the whole text is UCS-2
    text = sms_text(Reply(key="ask_pick", groups=(Group(items=items),)), "en")
    assert encoding(text) == "UCS-2" and segments(text) <= LIST_SEGMENTS
    lines = text.split("\n")[1:]
    assert [line.split(")")[0] for line in lines] == ["1", "2", "3", "4", "5"]
    for line, item in zip(lines, items, strict=True):
        shown = line.split(") ", 1)[1]
        assert shown.endswith("\u2026")
        kept = shown.removesuffix("\u2026")
        assert item.startswith(kept) and item[len(kept)] == " "  # cut between words


def test_gsm_lists_keep_gsm_with_three_dots() -> None:
    """An ellipsis or curly quote would make the whole SMS UCS-2: they become GSM look-alikes."""
    items = ("It\u2019s \u201cgood\u201d \u2013 mostly", STATEMENTS[0], STATEMENTS[2])
    text = sms_text(Reply(key="ask_pick", groups=(Group(items=items),)), "en")
    assert encoding(text) == "GSM-7"
    assert '1) It\'s "good" - mostly' in text
    assert "2) " + STATEMENTS[0].removesuffix("\u2026") + "..." in text


def test_ten_statements_still_fit_three_segments_in_english() -> None:
    """At the most statements a programme allows (10), the English pick question fits 3."""
    text = sms_text(Reply(key="ask_pick", groups=(Group(items=STATEMENTS),)), "en")
    assert segments(text) <= LIST_SEGMENTS
    assert "10) Paying my own bills" in text


@pytest.mark.parametrize("key", ["welcome", "invite"])
def test_a_long_purpose_is_shortened_so_welcome_and_invite_stay_within_two(key: str) -> None:
    """A 300-character purpose is cut (with "...") to keep the message at 2 segments."""
    purpose = " ".join(["We want to hear from everyone who uses our day services."] * 5)
    reply = Reply(key=key, params=(*PARAMS.items(), ("purpose", purpose)))
    reply = Reply(key=key, params=tuple({**dict(reply.params), "purpose": purpose}.items()))
    text = sms_text(reply, "en")
    assert segments(text) == PROMPT_SEGMENTS
    assert "We want to hear from everyone who uses our day services." in text
    assert "... We will ask you" in text or "... Would you tell us" in text
    assert "Riverside Day Centre" in text


def test_an_empty_purpose_leaves_no_double_space() -> None:
    """The welcome without a purpose reads cleanly."""
    text = sms_text(Reply(key="welcome", params=(("name", "Park"), ("purpose", ""))), "en")
    assert text.startswith("Hello from Park. We will ask you")


def test_replies_are_joined_only_when_that_costs_no_more() -> None:
    """Welcome + question go as one SMS (2 segments, not 3); two full SMS stay two."""
    welcome = Reply(key="welcome", params=tuple(PARAMS.items()))
    bodies = message_bodies([welcome, Reply(key="ask_consent")], "en", "sms")
    assert len(bodies) == 1 and segments(bodies[0]) == 2
    full = Reply(key="removed_last", params=(("text", "x" * 144),))  # 155 characters: 1 segment
    apart = message_bodies([full, full], "en", "sms")
    assert len(apart) == 2  # joined (312 characters) they would be 3 segments
    assert sum(segments(body) for body in apart) == 2


def test_whatsapp_shows_the_statements_as_the_engine_kept_them() -> None:
    """WhatsApp is not billed by segment: no cutting, the person's own characters."""
    items = ("It\u2019s good", *STATEMENTS[:4])
    text = whatsapp_text(Reply(key="ask_pick", groups=(Group(items=items),)), "en")
    assert "1) It\u2019s good" in text
    assert "2) " + STATEMENTS[0] in text
