"""The translation catalogs: complete, faithful to the source, compiled, short and readable."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import string
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot import keywords
from bot.engine import step
from bot.messages import MESSAGES
from bot.model import Context, Inbound
from channels.i18n import LOCALE_DIRS, message
from channels.render import reply_text
from channels.twilio.segments import segments

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
LANGUAGES = tuple(LOCALE_DIRS)
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")
OWN_KEYWORDS = ("cy", "pl", "ur")
"""Languages whose messages must show their own keywords, not the English ones."""

PLURAL_FORMS = {"en": 2, "cy": 6, "pl": 3, "ur": 2, "en@easyread": 2}

KEYWORD_WORDS = frozenset(
    {"HELP", "YES", "NO", "STOP", "START", "DONE", "CHANGE", "BACK", "SKIP", "RESTART"}
    | {"LANGUAGE", "DELETE"}
)
"""The English keywords as they appear, in capitals, inside English prompts."""

EMPHASIS = frozenset({"TWO", "DDAU", "DWIE"})
"""Capitalised words that stress a number ("Which TWO matter most"), not keywords."""

ENGLISH_EVERYWHERE = frozenset({"VOTE"})
"""Words printed in English on the workshop wall and read in every language (bot/votes.py)."""

SAMPLE: dict[str, str | int] = {
    "name": "Riverside Care",
    "purpose": "",
    "code": "PARK",
    "words": "CYMRAEG, POLSKI, URDU, EASY READ",
    "text": "The carers come on time and they listen to me",
    "count": 2,
}

MAX_SEGMENTS = 3
"""No prompt may cost more than three SMS segments, in any language."""

EASY_READ_MAX_ARI = 4.0
"""Automated Readability Index ceiling for each easy-read prompt: reading age 9."""

EASY_READ_MEAN_ARI = 2.0
"""Ceiling for the mean over all easy-read prompts: reading age 7. See docs/languages.md."""


def catalog(language: str) -> Catalog:
    path = LOCALES / LOCALE_DIRS[language] / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle)


def source_id(key: str) -> str | tuple[str, str]:
    return MESSAGES[key]


def singular(key: str) -> str:
    source = MESSAGES[key]
    return source[0] if isinstance(source, tuple) else source


def forms(entry: Message | None) -> list[str]:
    """A translation's text, one item per plural form; none for a missing entry.

    A missing entry is reported once, by test_every_message_is_translated, so
    the other checks pass over it instead of failing with a less helpful error.
    """
    if entry is None:
        return []
    value = entry.string
    if isinstance(value, str):
        return [value]
    return [text or "" for text in value or ()]


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def sms_keys() -> list[str]:
    return [key for key in MESSAGES if not key.startswith(("web_", "btn_"))]


def pybabel(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


# ---- complete and faithful ---------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    """Every message id in bot.messages has a finished translation in every shipped language."""
    cat = catalog(language)
    missing = []
    for key in MESSAGES:
        entry = cat.get(singular(key))
        if entry is None or entry.fuzzy or not all(forms(entry)):
            missing.append(key)
        elif isinstance(MESSAGES[key], tuple) != isinstance(entry.id, tuple):
            missing.append(f"{key} (plural entry expected: run scripts/i18n)")
    assert not missing, f"{language}: untranslated or fuzzy: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_are_babels_for_the_language(language: str) -> None:
    """The header gives the language's own plural rule, and plural entries fill every form."""
    cat = catalog(language)
    rule = get_plural(LOCALE_DIRS[language])
    assert cat.num_plurals == PLURAL_FORMS[language] == rule.num_plurals
    assert cat.plural_expr == rule.plural_expr
    for key, source in MESSAGES.items():
        if isinstance(source, tuple):
            assert len(forms(cat.get(source[0]))) == cat.num_plurals, key


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_the_sources(language: str) -> None:
    """Each translation (each plural form) has exactly the source's {placeholders}."""
    cat = catalog(language)
    for key, source in MESSAGES.items():
        expected = placeholders(source[0] if isinstance(source, tuple) else source)
        for text in forms(cat.get(singular(key))):
            assert placeholders(text) == expected, f"{language} {key}: {text!r}"


def test_english_catalog_is_the_source() -> None:
    """en_GB is an identity catalog: the code's English is what people read."""
    cat = catalog("en")
    for key, source in MESSAGES.items():
        expected = list(source) if isinstance(source, tuple) else [source]
        assert forms(cat.get(singular(key))) == expected, key


@pytest.mark.parametrize("language", TRANSLATED)
def test_babel_finds_no_errors(language: str) -> None:
    """Babel's own checks (format strings, plural counts) pass for every entry."""
    problems = [(m.id, errors) for m, errors in catalog(language).check() if errors]
    assert not problems


# ---- compiled and up to date -------------------------------------------------------------


def test_catalogs_compile_and_the_committed_mo_files_match(tmp_path: Path) -> None:
    """pybabel compiles each .po cleanly, into what the committed .mo file holds."""
    for folder in LOCALE_DIRS.values():
        target = tmp_path / folder / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(LOCALES / folder / "LC_MESSAGES" / "messages.po", target / "messages.po")
    result = pybabel("compile", "-D", "messages", "-d", str(tmp_path))
    assert result.returncode == 0, result.stderr
    stale = []
    for language, folder in LOCALE_DIRS.items():
        fresh = _mo_messages(tmp_path / folder / "LC_MESSAGES" / "messages.mo")
        committed = _mo_messages(LOCALES / folder / "LC_MESSAGES" / "messages.mo")
        if fresh != committed:
            stale.append(language)
    assert not stale, f"stale .mo files for {stale}: run scripts/i18n and commit"


def _mo_messages(path: Path) -> dict[Any, Any]:
    with path.open("rb") as handle:
        compiled = read_mo(handle)
    return {_hashable(m.id): _hashable(m.string) for m in compiled} | {
        "Plural-Forms": compiled.plural_forms
    }


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def test_template_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    """locales/messages.pot holds exactly the code's messages (a new English text fails)."""
    fresh = tmp_path / "messages.pot"
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "i18n"), "--pot", str(fresh)],
        capture_output=True,
        text=True,
        check=False,
        env=_env(),
    )
    assert result.returncode == 0, result.stderr
    with fresh.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    with (LOCALES / "messages.pot").open("rb") as handle:
        committed = {m.id for m in read_po(handle) if m.id}
    assert extracted == {source_id(key) for key in MESSAGES}
    assert committed == extracted, "locales/messages.pot is stale: run scripts/i18n and commit"
    for language in LANGUAGES:
        assert {m.id for m in catalog(language) if m.id} == committed, language


def _env() -> dict[str, str]:
    """Run scripts/i18n with the interpreter running the tests (CI may have no .venv)."""
    return {**os.environ, "PYTHON": sys.executable}


# ---- keywords inside the messages --------------------------------------------------------


def shown_keywords(text: str, language: str) -> list[str]:
    """The words a message asks people to send: capitalised runs, or quoted words in Urdu."""
    if language == "ur":
        return re.findall(r'"([^"]+)"', text)
    runs = re.findall(r"[^\W\d_]{2,}(?: [^\W\d_]{2,})*", text)
    shown = []
    for run in runs:
        words = run.split(" ")
        group: list[str] = []
        for word in [*words, ""]:
            if word and word.isupper():
                group.append(word)
            elif group:
                shown.append(" ".join(group))
                group = []
    return shown


@pytest.mark.parametrize("language", TRANSLATED)
def test_keywords_in_messages_are_words_the_language_accepts(language: str) -> None:
    """A message says to send a word that the keyword tables take, in that language."""
    cat = catalog(language)
    for key, source in MESSAGES.items():
        wanted = {
            word
            for word in shown_keywords(source[0] if isinstance(source, tuple) else source, "en")
            if word in KEYWORD_WORDS
        }
        for text in forms(cat.get(singular(key))):
            found = set()
            for word in shown_keywords(text, language) + re.findall(r"\bVOTE\b", text):
                if word in EMPHASIS or word in ENGLISH_EVERYWHERE:
                    continue
                if language in OWN_KEYWORDS:
                    meaning = keywords.BY_LANGUAGE[language].get(keywords.normalise(word))
                else:
                    meaning = keywords.match(word, language)
                assert meaning is not None, f"{language} {key}: {word!r} is not a keyword there"
                found.add(meaning)
            assert wanted <= found, f"{language} {key}: shows {found}, needs {wanted}"


@pytest.mark.parametrize("language", OWN_KEYWORDS)
def test_help_lists_the_languages_own_keywords(language: str) -> None:
    """HELP in Welsh, Polish and Urdu names that language's words for every keyword it lists."""
    text = message("help", language)
    table = keywords.BY_LANGUAGE[language]
    meanings = {table.get(keywords.normalise(word)) for word in shown_keywords(text, language)}
    assert {"BACK", "SKIP", "DONE", "RESTART", "LANGUAGE", "DELETE", "STOP"} <= meanings


# ---- cost and readability ----------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_prompt_costs_more_than_three_sms_segments(language: str) -> None:
    """Polish and Urdu go as UCS-2 (70 a segment): still no prompt over three segments."""
    over = {
        key: segments(message(key, language, SAMPLE))
        for key in sms_keys()
        if segments(message(key, language, SAMPLE)) > MAX_SEGMENTS
    }
    assert not over


def test_english_prompts_fit_one_segment() -> None:
    """The English prompts each fit one SMS (with typical placeholder values)."""
    over = {key: segments(message(key, "en", SAMPLE)) for key in sms_keys()}
    assert {key: n for key, n in over.items() if n > 1} == {}


EMOJI = re.compile("[\u2190-\u2bff\U0001f000-\U0001faff\ufe0f\u200d]")


def readable_text(key: str) -> str:
    """The easy-read prompt as a reader meets it, less emoji and placeholders."""
    text = message(key, "en@easyread", {"count": 2})
    return EMOJI.sub("", re.sub(r"\{\w+\}", "", text)).strip()


def easy_read_prompts() -> list[str]:
    """Prompts long enough to score: labels, buttons and 3-word lines say too little."""
    return [
        key
        for key in sms_keys()
        if not key.startswith("label_") and len(readable_text(key).split()) >= 4
    ]


def ari(text: str) -> float:
    """Automated Readability Index: letters and words only, so it runs offline."""
    import textstat

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(textstat.automated_readability_index(text))


def test_easy_read_prompts_have_a_low_reading_age() -> None:
    """Every easy-read prompt reads at age 9 or below, and on average at 7 or below."""
    scores = {key: ari(readable_text(key)) for key in easy_read_prompts()}
    hard = {key: round(score, 1) for key, score in scores.items() if score > EASY_READ_MAX_ARI}
    assert not hard, f"easy read above reading age 9: {hard}"
    assert statistics.mean(scores.values()) <= EASY_READ_MEAN_ARI


def test_easy_read_is_easier_than_the_english() -> None:
    """On average, easy read scores below the plain English it replaces."""
    keys = easy_read_prompts()
    easy = statistics.mean(ari(readable_text(key)) for key in keys)
    english = statistics.mean(
        ari(re.sub(r"\{\w+\}", "", message(key, "en", {"count": 2}))) for key in keys
    )
    assert easy < english


def test_segment_table_in_the_docs_is_current() -> None:
    """docs/languages.md carries the table scripts/sms-segments-table prints now."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sms-segments-table")],
        capture_output=True,
        text=True,
        check=True,
    )
    doc = (ROOT / "docs" / "languages.md").read_text(encoding="utf-8")
    assert result.stdout in doc, "run scripts/sms-segments-table --write and commit"


# ---- rendered replies --------------------------------------------------------------------

CONVERSATION = (
    "PARK",
    "YES",
    "1",
    "My carer is kind",
    "I see my friends",
    "I go swimming",
    "DONE",
    "1 3",
    "BACK",
    "HELP",
    "SKIP",
    "The bus is late",
    "DONE",
    "DONE",
    "YES",
    "NO",
    "CHANGE",
    "DELETE",
    "NO",
)
"""English keywords on purpose: they work in every language, so one script drives all."""


@pytest.mark.parametrize("language", LANGUAGES)
def test_rendered_replies_keep_no_placeholder(language: str) -> None:
    """Replies rendered through the catalogs in each language have every {field} filled."""
    context = Context(code="PARK", name="Riverside Care", purpose="", languages=(language,))
    state: dict[str, Any] | None = None
    rendered: list[str] = []
    for text in CONVERSATION:
        result = step(state, Inbound(text=text), context)
        state = result.state
        rendered.extend(reply_text(reply, language) for reply in result.replies)
    assert len(rendered) > len(CONVERSATION)
    leftovers = [text for text in rendered if re.search(r"\{\w*\}", text)]
    assert not leftovers
    if language != "en":
        english = message("ask_working", "en")
        assert all(english not in text for text in rendered), "catalog not used"
