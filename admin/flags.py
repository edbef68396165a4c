"""What the quality checkpoint looks for in a statement, as pure functions of its text.

The method's commonest fault is professional language in a personal statement;
then statements that would identify someone in a room of 30 (names, numbers,
addresses), and ones with nothing to say. Each check errs towards flagging: a
flag is a prompt for a person to look, never an automatic change.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import phonenumbers

from bot.parsing import LONG_STATEMENT

FlagKind = Literal[
    "safeguarding",
    "professional",
    "phone",
    "email",
    "postcode",
    "address",
    "name",
    "empty",
    "long",
    "duplicate",
]
FLAG_KINDS: tuple[FlagKind, ...] = (
    "safeguarding",
    "professional",
    "name",
    "phone",
    "email",
    "postcode",
    "address",
    "empty",
    "long",
    "duplicate",
)
FLAG_NAMES: dict[str, str] = {
    "safeguarding": "Possible disclosure of harm",
    "professional": "Professional language",
    "name": "Possible name",
    "phone": "Phone number",
    "email": "E-mail address",
    "postcode": "Postcode",
    "address": "Street address",
    "empty": "Empty or nearly empty",
    "long": "Very long",
    "duplicate": "Said more than once",
}
PERSONAL_KINDS = frozenset({"name", "phone", "email", "postcode", "address"})

NAMES_FILE = Path(__file__).resolve().parent / "data" / "first_names.txt"

NEAR_EMPTY = frozenset(
    {
        "ok",
        "okay",
        "k",
        "nothing",
        "none",
        "na",
        "n a",
        "no",
        "yes",
        "fine",
        "good",
        "idk",
        "dunno",
        "don t know",
        "dont know",
        "not sure",
        "same",
        "all good",
        "nothing really",
        "no comment",
        "nil",
        "nope",
        "not applicable",
        "nothing to say",
        "all ok",
        "alright",
        "everything",
        "anything",
    }
)

AMBIGUOUS_NAMES = frozenset(
    {
        "will",
        "mark",
        "may",
        "grace",
        "hope",
        "joy",
        "bill",
        "frank",
        "faith",
        "rose",
        "dawn",
        "june",
        "april",
        "summer",
        "sue",
        "pat",
        "ray",
        "dean",
        "carol",
        "ivy",
        "ruby",
        "amber",
        "daisy",
        "lily",
        "poppy",
        "holly",
        "lee",
        "art",
        "iris",
        "heather",
        "florence",
        "don",
        "guy",
        "penny",
        "robin",
        "sandy",
        "glen",
        "dale",
        "drew",
        "grant",
        "lewis",
        "victoria",
        "jack",
        "jimmy",
        "billy",
        "kim",
        "harvey",
        "owen",
        "sally",
        "chris",
    }
)
"""Names that are also everyday English words: not flagged as the first word of a sentence."""

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_PHONE_FALLBACK = re.compile(r"(?<![\d£$€])(?:\+\s?44\s?\(?0?\)?\s?|0)\d(?:[\s-]?\d){8,9}(?!\d)")
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
_STREET_WORDS = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Close|Drive|Way|Court|Crescent|Place|Gardens|"
    "Terrace|Grove|Square|Row|Walk|Mews|Hill|Parade|Rise|View"
)
_NUMBERED_STREET = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Z][\w'’-]*\s+){{1,3}}(?:{_STREET_WORDS})\b"
)
_NAMED_STREET = re.compile(
    r"\b(?:[A-Z][\w'’-]+\s+){1,2}(?:Road|Street|Avenue|Lane|Close|Drive|Crescent|Terrace|"
    r"Gardens|Grove|Mews)\b"
)
_FLAT = re.compile(r"\bflat\s+\d+[a-z]?\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:['’][^\W\d_]+)?")
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")


@dataclass(frozen=True)
class Flag:
    kind: FlagKind
    detail: str = ""
    """What matched (a phrase, a name), for the reviewer; never stored in the audit log."""


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    lines = NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


def normalise(text: str) -> str:
    """Lower case, letters and digits only, single spaces: for near-empty and duplicates."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch if ch.isalnum() else " " for ch in folded)
    return " ".join(kept.split())


@lru_cache(maxsize=256)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in phrase.split()]
    return re.compile(r"(?<!\w)" + r"[\s-]+".join(words) + r"s?(?!\w)", re.IGNORECASE)


def professional(text: str, phrases: Iterable[str]) -> list[Flag]:
    found = []
    for phrase in phrases:
        phrase = phrase.strip()
        if phrase and _phrase_pattern(phrase).search(text):
            found.append(Flag("professional", phrase))
    return found


def phones(text: str) -> list[Flag]:
    found = [
        Flag("phone", match.raw_string) for match in phonenumbers.PhoneNumberMatcher(text, "GB")
    ]
    if not found:
        found = [Flag("phone", m.group(0)) for m in _PHONE_FALLBACK.finditer(text)]
    return found


def emails(text: str) -> list[Flag]:
    return [Flag("email", m.group(0)) for m in _EMAIL.finditer(text)]


def postcodes(text: str) -> list[Flag]:
    return [Flag("postcode", m.group(0)) for m in _POSTCODE.finditer(text)]


def addresses(text: str) -> list[Flag]:
    spans = [m.group(0) for m in _NUMBERED_STREET.finditer(text)]
    spans += [
        m.group(0) for m in _NAMED_STREET.finditer(text) if not any(m.group(0) in s for s in spans)
    ]
    spans += [m.group(0) for m in _FLAT.finditer(text)]
    return [Flag("address", span) for span in spans]


def names(text: str, known: frozenset[str] | None = None) -> list[Flag]:
    """Capitalised words from the names list; everyday words only mid-sentence."""
    known = first_names() if known is None else known
    found: list[Flag] = []
    for match in _WORD.finditer(text):
        word = match.group(0)
        base = re.split(r"['’]", word)[0]
        if not base[:1].isupper() or (not base[1:2].islower() and len(base) > 1):
            continue
        key = base.casefold()
        if key not in known:
            continue
        before = text[: match.start()]
        sentence_start = not before.strip() or bool(_SENTENCE_END.search(before))
        if sentence_start and key in AMBIGUOUS_NAMES:
            continue
        if all(f.detail != base for f in found):
            found.append(Flag("name", base))
    return found


def near_empty(text: str) -> list[Flag]:
    plain = normalise(text)
    letters = sum(ch.isalpha() for ch in plain)
    return [Flag("empty")] if plain in NEAR_EMPTY or letters < 3 else []


def too_long(text: str) -> list[Flag]:
    return [Flag("long", str(len(text)))] if len(text) > LONG_STATEMENT else []


def check(text: str, *, phrases: Iterable[str] = ()) -> list[Flag]:
    """Every flag for one statement on its own (duplicates need the others: see below)."""
    return [
        *professional(text, phrases),
        *names(text),
        *phones(text),
        *emails(text),
        *postcodes(text),
        *addresses(text),
        *near_empty(text),
        *too_long(text),
    ]


def duplicates(texts: Sequence[str]) -> set[int]:
    """Indexes of texts that say the same as another (ignoring case and punctuation)."""
    keys = [normalise(text) for text in texts]
    counts = Counter(key for key in keys if key and key not in NEAR_EMPTY)
    return {index for index, key in enumerate(keys) if counts.get(key, 0) > 1}
