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

from admin.services import ideas
from admin.services import professional as voice
from admin.web.i18n import N_
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
    "several",
]
FLAG_KINDS: tuple[FlagKind, ...] = (
    "safeguarding",
    "professional",
    "several",
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
    "safeguarding": N_("Possible disclosure of harm"),
    "professional": N_("Professional language"),
    "several": N_("Several ideas on one card"),
    "name": N_("Possible name"),
    "phone": N_("Phone number"),
    "email": N_("E-mail address"),
    "postcode": N_("Postcode"),
    "address": N_("Street address"),
    "empty": N_("Empty or nearly empty"),
    "long": N_("Very long"),
    "duplicate": N_("Said more than once"),
}
PERSONAL_KINDS = frozenset({"name", "phone", "email", "postcode", "address"})

NAMES_FILE = Path(__file__).resolve().parents[1] / "data" / "first_names.txt"

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
_WELSH_STREET = re.compile(
    r"\b(?:\d{1,4}[A-Za-z]?,?\s+)?(?:Heol|Stryd|Ffordd|Lôn|Rhodfa|Cilgant|Teras)"
    r"(?:\s+(?:y|yr))?(?:\s+[A-ZÂÊÎÔÛŴŶ][\w'’-]+){1,2}"
)
_POLISH_STREET = re.compile(
    r"\b(?:ul|al|os|pl)\.\s*(?:[A-ZĄĆĘŁŃÓŚŹŻ][\w-]+\s+){0,2}[A-ZĄĆĘŁŃÓŚŹŻ][\w-]+"
    r"(?:\s+\d{1,4}[a-z]?(?:/\d{1,4})?)?"
)
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
    """The old check: any listed phrase (kept to measure the scorer against)."""
    found = []
    for phrase in phrases:
        phrase = phrase.strip()
        if phrase and _phrase_pattern(phrase).search(text):
            found.append(Flag("professional", phrase))
    return found


@dataclass(frozen=True)
class Span:
    """Where a piece of personal data sits in a statement, so it can be masked alone."""

    kind: FlagKind
    start: int
    end: int


def phone_spans(text: str) -> list[Span]:
    found = [
        Span("phone", match.start, match.end)
        for match in phonenumbers.PhoneNumberMatcher(text, "GB")
    ]
    if not found:
        found = [Span("phone", m.start(), m.end()) for m in _PHONE_FALLBACK.finditer(text)]
    return found


def email_spans(text: str) -> list[Span]:
    return [Span("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]


def postcode_spans(text: str) -> list[Span]:
    return [Span("postcode", m.start(), m.end()) for m in _POSTCODE.finditer(text)]


def address_spans(text: str) -> list[Span]:
    spans = [Span("address", m.start(), m.end()) for m in _NUMBERED_STREET.finditer(text)]
    for pattern in (_NAMED_STREET, _FLAT, _WELSH_STREET, _POLISH_STREET):
        for m in pattern.finditer(text):
            if not any(s.start <= m.start() and m.end() <= s.end for s in spans):
                spans.append(Span("address", m.start(), m.end()))
    return sorted(spans, key=lambda s: s.start)


def name_spans(text: str, known: frozenset[str] | None = None) -> list[Span]:
    """Capitalised words from the names list; everyday words only mid-sentence.

    The span is the name alone: "Sarah's" masks as "[name]'s".
    """
    known = first_names() if known is None else known
    found: list[Span] = []
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
        found.append(Span("name", match.start(), match.start() + len(base)))
    return found


def personal_spans(text: str) -> list[Span]:
    """Every piece of personal data in `text`, in order, overlapping finds merged.

    Where two finds overlap (a postcode inside an address) the merged span takes
    the kind of the one that starts first (the longer one when they start together).
    """
    spans = sorted(
        [
            *name_spans(text),
            *phone_spans(text),
            *email_spans(text),
            *postcode_spans(text),
            *address_spans(text),
        ],
        key=lambda s: (s.start, -(s.end - s.start)),
    )
    merged: list[Span] = []
    for span in spans:
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.kind, last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return merged


def _flags(text: str, spans: Iterable[Span]) -> list[Flag]:
    found: list[Flag] = []
    for span in spans:
        flag = Flag(span.kind, text[span.start : span.end])
        if flag not in found:
            found.append(flag)
    return found


def phones(text: str) -> list[Flag]:
    return _flags(text, phone_spans(text))


def emails(text: str) -> list[Flag]:
    return _flags(text, email_spans(text))


def postcodes(text: str) -> list[Flag]:
    return _flags(text, postcode_spans(text))


def addresses(text: str) -> list[Flag]:
    return _flags(text, address_spans(text))


def names(text: str, known: frozenset[str] | None = None) -> list[Flag]:
    """Capitalised words from the names list; everyday words only mid-sentence."""
    return _flags(text, name_spans(text, known))


def near_empty(text: str) -> list[Flag]:
    plain = normalise(text)
    letters = sum(ch.isalpha() for ch in plain)
    return [Flag("empty")] if plain in NEAR_EMPTY or letters < 3 else []


def too_long(text: str) -> list[Flag]:
    return [Flag("long", str(len(text)))] if len(text) > LONG_STATEMENT else []


def professional_voice(text: str, phrases: Iterable[str], language: str = "en") -> list[Flag]:
    """The scorer's verdict (services/professional.py); the detail says why, for the reviewer."""
    verdict = voice.score(text, language=language, listed=phrases)
    return [Flag("professional", verdict.explain())] if verdict.flagged else []


def several_ideas(text: str) -> list[Flag]:
    found = ideas.parts(text)
    return [Flag("several", " | ".join(found))] if len(found) > 1 else []


def check(text: str, *, phrases: Iterable[str] = (), language: str = "en") -> list[Flag]:
    """Every flag for one statement on its own (duplicates need the others: see below)."""
    return [
        *professional_voice(text, phrases, language),
        *several_ideas(text),
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
