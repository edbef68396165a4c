"""The quality flags: each kind is found, and everyday statements are left alone."""

from __future__ import annotations

import pytest

from admin.services import flags
from admin.services.wordlists import DEFAULT_PHRASES

PHRASES = DEFAULT_PHRASES["en"]


def kinds(text: str) -> set[str]:
    return {f.kind for f in flags.check(text, phrases=PHRASES)}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Help with dietary intake", "professional"),
        ("the balance of my dietary intake", "professional"),
        ("They help with my dietary intake", "professional"),  # the system's words for a life
        ("I want to reduce my social isolation", "professional"),
        ("Addressing Social Isolation in the evenings", "professional"),
        ("I am a service user here", "professional"),
        ("The package of care is too small", "professional"),
        ("It is very person-centred", "professional"),
        ("Better outcomes", "professional"),
        ("The service user requires more social inclusion activities", "professional"),
        ("He presents as withdrawn when staff change", "professional"),
        ("Mrs Jones requires assistance twice daily", "professional"),
        ("Support is required in relation to budgeting", "professional"),
        ("The staff are kind but the dinners are cold and I would love a swim", "several"),
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
    """Ordinary personal statements get no flag (false-positive checks).

    "Several ideas" is left out here: it has its own labelled set (test_quality_labelled.py).
    """
    assert kinds(text) - {"several"} == set()


@pytest.mark.parametrize(
    "text",
    [
        "I use my personal budget to pay for the gym",
        "My direct payment means I pick who helps me",
        "My wellbeing is better since I started the choir",
        "My telecare button makes me feel safe at night",
        "My reablement team got me walking again after my fall",
    ],
)
def test_own_voice_with_care_words_is_not_professional(text: str) -> None:
    """A person using a care word naturally, in their own voice, is not flagged."""
    assert "professional" not in kinds(text)


def test_the_quality_page_can_say_why() -> None:
    """The professional flag's detail names the signs that added up."""
    found = flags.check("Mrs Jones requires support", phrases=PHRASES)
    (flag,) = [f for f in found if f.kind == "professional"]
    assert "Mr/Mrs X" in flag.detail and "requires" in flag.detail


def test_welsh_professional_language_is_caught() -> None:
    """Welsh care-system terms and talk of 'the service user' count in Welsh too."""
    assert "professional" in {
        f.kind
        for f in flags.check(
            "Mae angen cymorth ar y defnyddiwr gwasanaeth mewn perthynas â'r cynllun gofal",
            language="cy",
        )
    }
    assert "professional" not in {
        f.kind for f in flags.check("Rwy'n hoffi fy nghynllun gofal newydd", language="cy")
    }


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


def test_a_language_without_rules_uses_only_its_word_list() -> None:
    """Polish has no shipped rules: only the programme's Polish list flags a statement."""
    text = "Pan Kowalski wymaga wsparcia w zakresie higieny osobistej"
    assert "professional" not in {f.kind for f in flags.check(text, language="pl")}
    found = flags.check(text, language="pl", phrases=["higieny osobistej"])
    assert "professional" in {f.kind for f in found}
