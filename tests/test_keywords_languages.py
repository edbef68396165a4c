"""Keywords in Welsh, Polish, Urdu and easy read: the words people type, and no surprises."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from bot import keywords
from bot.engine import step
from bot.keywords import BY_LANGUAGE, ENGLISH, Keyword, fold, language_word, match, normalise
from bot.messages import LANGUAGE_NAMES
from bot.model import Consented, Context, Declined, Inbound, OptedOut
from channels.i18n import LOCALE_DIRS

LANGUAGES = tuple(LOCALE_DIRS)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # Welsh
        ("IE", "cy", "YES"),
        ("Oes", "cy", "YES"),
        ("ydw", "cy", "YES"),
        ("Hoffwn", "cy", "YES"),
        ("Na", "cy", "NO"),
        ("nac oes", "cy", "NO"),
        ("Nage", "cy", "NO"),
        ("CYMORTH", "cy", "HELP"),
        ("stopio", "cy", "STOP"),
        ("DECHRAU", "cy", "START"),
        ("NÔL", "cy", "BACK"),
        ("nol", "cy", "BACK"),
        ("yn ol", "cy", "BACK"),
        ("neidio", "cy", "SKIP"),
        ("Hepgor", "cy", "SKIP"),
        ("GORFFEN", "cy", "DONE"),
        ("Wedi  gorffen.", "cy", "DONE"),
        ("dyna’r cyfan", "cy", "DONE"),
        ("AILDDECHRAU", "cy", "RESTART"),
        ("newid", "cy", "CHANGE"),
        ("IAITH", "cy", "LANGUAGE"),
        ("dileu", "cy", "DELETE"),
        # Polish
        ("TAK", "pl", "YES"),
        ("Nie", "pl", "NO"),
        ("POMOC", "pl", "HELP"),
        ("Stop", "pl", "STOP"),
        ("wypisz mnie", "pl", "STOP"),
        ("START", "pl", "START"),
        ("WSTECZ", "pl", "BACK"),
        ("cofnij", "pl", "BACK"),
        ("POMIŃ", "pl", "SKIP"),
        ("pomin", "pl", "SKIP"),
        ("GOTOWE", "pl", "DONE"),
        ("koniec", "pl", "DONE"),
        ("Skończyłam", "pl", "DONE"),
        ("skonczylem", "pl", "DONE"),
        ("OD NOWA", "pl", "RESTART"),
        ("ZMIEŃ", "pl", "CHANGE"),
        ("zmien", "pl", "CHANGE"),
        ("JĘZYK", "pl", "LANGUAGE"),
        ("jezyk", "pl", "LANGUAGE"),
        ("USUŃ", "pl", "DELETE"),
        ("usun", "pl", "DELETE"),
        # Urdu, in its script and in Roman letters
        ("ہاں", "ur", "YES"),
        ('"ہاں"۔', "ur", "YES"),
        ("هاں", "ur", "YES"),  # Arabic-keyboard heh
        ("haan", "ur", "YES"),
        ("Ji", "ur", "YES"),
        ("نہیں", "ur", "NO"),
        ("نهيں", "ur", "NO"),  # Arabic heh and yeh
        ("nahi", "ur", "NO"),
        ("مدد", "ur", "HELP"),
        ("madad", "ur", "HELP"),
        ("بند", "ur", "STOP"),
        ("band karo", "ur", "STOP"),
        ("band", "ur", "STOP"),
        ("شروع", "ur", "START"),
        ("shuru", "ur", "START"),
        ("واپس", "ur", "BACK"),
        ("wapas", "ur", "BACK"),
        ("چھوڑیں", "ur", "SKIP"),
        ("چهوڑیں", "ur", "SKIP"),
        ("بس", "ur", "DONE"),
        ("bas", "ur", "DONE"),
        ("khatam", "ur", "DONE"),
        ("دوبارہ", "ur", "RESTART"),
        ("بدلیں", "ur", "CHANGE"),
        ("زبان", "ur", "LANGUAGE"),
        ("مٹائیں", "ur", "DELETE"),
        # easy read and English phrases
        ("start again", "en@easyread", "RESTART"),
        ("Yes please", "en@easyread", "YES"),
        ("no thank you", "en", "NO"),
        ("go back", "en", "BACK"),
    ],
)
def test_a_speakers_word_is_their_keyword(text: str, language: str, expected: Keyword) -> None:
    """Each language's own words (with or without accents) are its keywords."""
    assert match(text, language) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_english_always_works(language: str) -> None:
    """Every English keyword keeps its meaning in every language (bar ORDINARY words)."""
    ordinary = keywords.ORDINARY.get(language, frozenset())
    for word, keyword in ENGLISH.items():
        if word not in ordinary:
            assert match(word.upper(), language) == keyword, (language, word)


def test_no_table_gives_an_english_word_another_meaning() -> None:
    """A language table that holds an English keyword word means the same keyword by it."""
    for language, table in BY_LANGUAGE.items():
        for word, keyword in table.items():
            if word in ENGLISH:
                assert ENGLISH[word] == keyword, (language, word)


@pytest.mark.parametrize("language", LANGUAGES)
def test_stop_and_start_of_every_language_work_everywhere(language: str) -> None:
    """A person can opt out or back in with the word of any language, whatever theirs is."""
    for other, table in BY_LANGUAGE.items():
        for word, keyword in table.items():
            if keyword in ("STOP", "START") and word not in keywords.OWN_LANGUAGE_ONLY:
                assert match(word, language) == keyword, (language, other, word)


def test_a_word_means_the_same_keyword_in_every_language_that_has_it() -> None:
    """No word (as typed or folded) is one keyword in one language and another elsewhere."""
    meanings: dict[str, set[Keyword]] = defaultdict(set)
    for table in BY_LANGUAGE.values():
        for word, keyword in table.items():
            meanings[word].add(keyword)
            meanings[fold(word)].add(keyword)
    assert {word: found for word, found in meanings.items() if len(found) > 1} == {}


@pytest.mark.parametrize("language", list(BY_LANGUAGE))
def test_folding_joins_no_two_keywords(language: str) -> None:
    """Dropping accents never makes two different keywords of a language the same word."""
    folded: dict[str, set[Keyword]] = defaultdict(set)
    for word, keyword in BY_LANGUAGE[language].items():
        folded[fold(word)].add(keyword)
    assert {word: found for word, found in folded.items() if len(found) > 1} == {}


def test_table_words_are_written_as_normalise_leaves_them() -> None:
    """A table word that normalise would change could never be matched."""
    tables: list[dict[str, Any]] = [ENGLISH, *BY_LANGUAGE.values(), keywords.LANGUAGE_WORDS]
    for table in tables:
        for word in table:
            assert normalise(word) == word
            assert len(word) <= 20


def test_polish_no_is_not_a_refusal() -> None:
    """Polish "no" is "well" or "yeah": in Polish it is not NO (NIE is)."""
    assert match("no", "pl") is None
    assert match("No.", "pl") is None
    assert match("nie", "pl") == "NO"
    assert match("no", "en") == "NO"
    assert match("no", "cy") == "NO"


def test_polish_koniec_finishes_a_question_and_does_not_opt_out() -> None:
    """KONIEC ("the end") after "send GOTOWE" means done; only English END is STOP."""
    assert match("KONIEC", "pl") == "DONE"
    assert match("koniec", "en") is None
    assert match("end", "pl") == "STOP"


def test_roman_urdu_band_only_stops_in_urdu() -> None:
    """Roman Urdu "band" is English too: an English or Welsh speaker sending it stays in."""
    assert match("band", "ur") == "STOP"
    assert match("band", "en") is None
    assert match("band", "cy") is None
    assert match("band karo", "en") == "STOP"
    assert match("بند", "pl") == "STOP"


def test_a_language_word_is_no_keyword_in_another_language() -> None:
    """Welsh NA is no only in Welsh and Urdu; in English and Polish it is an answer."""
    assert match("na", "cy") == match("na", "ur") == "NO"
    assert match("na", "en") is None
    assert match("tak", "en") is None
    assert match("ie", "pl") is None


def test_ordinary_answers_are_not_keywords() -> None:
    """Sentences and nouns stay answers, however they start."""
    for text, language in [
        ("Nie lubię czekać", "pl"),
        ("zmiana godzin", "pl"),
        ("Mae'r gofalwyr yn garedig", "cy"),
        ("تبدیلی", "ur"),
        ("بس وقت پر نہیں آتی", "ur"),
        ("help with shopping", "en"),
    ]:
        assert match(text, language) is None, text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("CYMRAEG", "cy"),
        ("Cymraeg.", "cy"),
        ("polski", "pl"),
        ("URDU", "ur"),
        ("اردو", "ur"),
        ("اُردو", "ur"),
        ("EASY READ", "en@easyread"),
        ("easy  read", "en@easyread"),
        ("Easy", "en@easyread"),
        ("English", "en"),
    ],
)
def test_a_language_is_switched_to_by_its_own_name(text: str, language: str) -> None:
    """Typing a language's own name (as offered in the welcome) names that language."""
    assert language_word(text) == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_offered_words_and_menu_names_switch_back(language: str) -> None:
    """The word the welcome shows, and the menu name, both lead to the language."""
    assert language_word(keywords.own_word(language)) == language
    assert language_word(LANGUAGE_NAMES[language]) == language


def test_language_words_are_no_keywords() -> None:
    """A language name never doubles as a keyword in any language."""
    for word in keywords.LANGUAGE_WORDS:
        for language in LANGUAGES:
            assert match(word, language) is None, (word, language)


# ---- through the engine ------------------------------------------------------------------


def _run(language: str, *texts: str) -> list[Any]:
    """Send texts to a fresh conversation in `language`; return every effect."""
    context = Context(code="PARK", name="Riverside Care", languages=(language,))
    state: dict[str, Any] | None = None
    effects: list[Any] = []
    for text in texts:
        result = step(state, Inbound(text=text), context)
        state = result.state
        effects.extend(result.effects)
    return effects


def test_a_welsh_speaker_consents_with_ie() -> None:
    """The engine takes the Welsh yes the Welsh prompt asks for."""
    assert any(isinstance(e, Consented) for e in _run("cy", "PARK", "IE"))


def test_a_polish_no_at_consent_is_asked_again_not_declined() -> None:
    """Polish "no" (yeah) neither consents nor declines: the question is asked again."""
    effects = _run("pl", "PARK", "no")
    assert not any(isinstance(e, Consented | Declined) for e in effects)
    assert any(isinstance(e, Declined) for e in _run("pl", "PARK", "nie"))


def test_urdu_stop_opts_out() -> None:
    """بند, the Urdu word shown in the prompts, opts the person out."""
    assert any(isinstance(e, OptedOut) for e in _run("ur", "PARK", "ہاں", "بند"))


def test_match_any_finds_a_keyword_of_any_language() -> None:
    """A word that is a keyword somewhere (TAK, IE, BAS) is found; a join code is not."""
    assert keywords.match_any("TAK") == "YES"
    assert keywords.match_any("ie") == "YES"
    assert keywords.match_any("bas") == "DONE"
    assert keywords.match_any("PARK") is None
