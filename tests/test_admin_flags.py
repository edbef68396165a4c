"""The quality flags: each kind is found, and everyday statements are left alone."""

from __future__ import annotations

import pytest

from admin import flags
from admin.wordlists import DEFAULT_PHRASES

PHRASES = DEFAULT_PHRASES["en"]


def kinds(text: str) -> set[str]:
    return {f.kind for f in flags.check(text, phrases=PHRASES)}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("They help with my dietary intake", "professional"),
        ("Addressing Social Isolation in the evenings", "professional"),
        ("I am a service user here", "professional"),
        ("My package of care is too small", "professional"),
        ("It is very person-centred", "professional"),
        ("Better outcomes for me", "professional"),
        ("More signposting please", "professional"),
        ("Respite provision at weekends", "professional"),
        ("My carer Sarah is lovely", "name"),
        ("I asked Mohammed to help me", "name"),
        ("Call me on 07911 123456", "phone"),
        ("my number is +44 7911 123456 thanks", "phone"),
        ("ring 020 7946 0018 any time", "phone"),
        ("write to jo.bloggs@example.org", "email"),
        ("I live near SW1A 1AA", "postcode"),
        ("postcode m1 1ae", "postcode"),
        ("I live at 12 Elm Road", "address"),
        ("Flat 3 is cold", "address"),
        ("ok", "empty"),
        ("N/A", "empty"),
        ("nothing", "empty"),
        ("??", "empty"),
        ("I like it " * 60, "long"),
    ],
)
def test_each_flag_kind_is_found(text: str, kind: str) -> None:
    """Each flag kind is raised by a typical statement."""
    assert kind in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "The staff are kind and listen to me",
        "Will they come on time? Nobody tells me",
        "Grace at the centre is a lovely word",  # ambiguous name at sentence start
        "I waited 2 hours for 3 buses",
        "It costs £20 a week and I pay 15 for lunch",
        "the road outside is busy",
        "I go out to the park on Mondays",
        "I want more time outside",  # not 'outcomes'
        "Someone to talk to in the evening",
        "I cannot do it ok",  # 'ok' inside a real sentence
        "MY SON HELPS ME",
    ],
)
def test_everyday_statements_are_not_flagged(text: str) -> None:
    """Ordinary personal statements get no flag (false-positive checks)."""
    assert kinds(text) == set()


def test_name_mid_sentence_even_if_an_everyday_word() -> None:
    """'Will' starting a sentence is a word; 'Will' mid-sentence may be a person."""
    assert kinds("Will the bus come?") == set()
    assert "name" in kinds("My son Will visits me")


def test_duplicates_ignore_case_and_punctuation() -> None:
    """Two people saying the same thing are flagged; near-empty repeats are not."""
    texts = ["The bus is late.", "the bus is LATE", "The bus is early", "ok", "OK"]
    assert flags.duplicates(texts) == {0, 1}


def test_word_list_phrase_matches_whole_words_only() -> None:
    """A phrase matches as whole words (and a plural), never inside another word."""
    assert flags.professional("more engagements", ["engagement"])
    assert not flags.professional("disengagement", ["engagement"])
