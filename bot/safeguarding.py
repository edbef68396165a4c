"""Recognising a disclosure of harm in a statement, as a pure function of its text.

The rules are data: per-language pattern files shipped in
`collection/safeguarding/patterns/` and phrases a lead adds for a programme.
The caller reads them (I/O) and hands the parsed `Rules` to the engine through
its context, so the engine decides, without I/O, whether to answer a person
with the help text. Matching errs towards alerting: a missed disclosure is the
worst outcome, an alert a lead dismisses costs a minute. Idioms that share the
words ("the quiz was killing me", "I'd kill for a cup of tea") are blanked out
before the rules run, so the rules themselves can stay broad.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

SafeguardingCategory = Literal[
    "danger",
    "self_harm",
    "sexual",
    "domestic",
    "physical",
    "modern_slavery",
    "financial",
    "discriminatory",
    "psychological",
    "organisational",
    "neglect",
    "self_neglect",
]
SAFEGUARDING_CATEGORIES: tuple[SafeguardingCategory, ...] = SafeguardingCategory.__args__  # type: ignore[attr-defined]
"""In order of urgency: when a statement matches several, the first one names the case."""

CATEGORY_NAMES: dict[str, str] = {
    "danger": "Immediate danger",
    "self_harm": "Self-harm or suicidal thoughts",
    "sexual": "Sexual abuse",
    "domestic": "Domestic abuse",
    "physical": "Physical abuse",
    "modern_slavery": "Modern slavery",
    "financial": "Financial or material abuse",
    "discriminatory": "Discriminatory abuse",
    "psychological": "Psychological or emotional abuse",
    "organisational": "Organisational abuse",
    "neglect": "Neglect or acts of omission",
    "self_neglect": "Self-neglect",
}

IGNORE = "ignore"
"""The section of a pattern file whose matches are blanked out before the rules run."""

_SECTION = re.compile(r"^\[([a-z_]+)\]$")
_MACRO = re.compile(r"^@([A-Z_]+)\s*=\s*(.+)$")
_MACRO_USE = re.compile(r"\{([A-Z_]+)\}")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})
_CONTRACTIONS = re.compile(
    r"\b(don|can|won|didn|doesn|isn|wasn|aren|haven|hasn|wouldn|couldn|shouldn|weren)t\b"
    r"|\b(i)m\b|\b(i)ve\b|\b(he|she|it|that|there|what)s\b|\b(they|you|we)re\b"
)
"""English contractions texted without the apostrophe ("dont", "im", "hes")."""
_LETTERS = str.maketrans({"\u0142": "l", "\u064a": "\u06cc", "\u0643": "\u06a9"})
"""Polish l with stroke (no decomposition), and Arabic yeh and kaf typed for Urdu's."""


class PatternError(ValueError):
    """A pattern file or a lead's phrase could not be read; says which line and why."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class Rule:
    category: SafeguardingCategory
    pattern: re.Pattern[str]
    source: str
    """Where the rule came from (a file and line, or "programme"), for the case page."""


@dataclass(frozen=True)
class Rules:
    """Everything the detector needs: the rules and the idioms to blank out first."""

    rules: tuple[Rule, ...] = ()
    ignore: tuple[re.Pattern[str], ...] = ()

    def __add__(self, other: Rules) -> Rules:
        return Rules(self.rules + other.rules, self.ignore + other.ignore)


@dataclass(frozen=True)
class Disclosure:
    """What the detector found: the most urgent category, every category, the words."""

    category: SafeguardingCategory
    categories: tuple[SafeguardingCategory, ...]
    phrase: str


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, Latin accents dropped, one space between words.

    Accents go so that "płacą" and "placa", "ngŵr" and "ngwr" match alike: people
    texting often leave them out. Marks on other scripts (Urdu) are kept.
    """
    text = text.translate(_APOSTROPHES).casefold().translate(_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    kept: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and kept and kept[-1] < "\u0250":
            continue
        kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept))
    text = _CONTRACTIONS.sub(_apostrophe, text)
    return " " + " ".join(text.split()) + " "


def parse_rules(text: str, source: str = "") -> Rules:
    """Read one pattern file: `@NAME = regex` macros, `[category]` sections, one regex a line.

    `#` starts a comment line. Regexes are matched against `normalise(text)`;
    `{NAME}` inside one is replaced by the macro's regex.
    """
    macros: dict[str, str] = {}
    section: str | None = None
    rules: list[Rule] = []
    ignore: list[re.Pattern[str]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if found := _MACRO.match(line):
            macros[found.group(1)] = "(?:" + _expand(found.group(2), macros, number) + ")"
            continue
        if found := _SECTION.match(line):
            section = found.group(1)
            if section != IGNORE and section not in SAFEGUARDING_CATEGORIES:
                raise PatternError(f"unknown section [{section}]", number)
            continue
        if section is None:
            raise PatternError("a pattern before any [section]", number)
        pattern = _compile(_expand(line, macros, number), number)
        if section == IGNORE:
            ignore.append(pattern)
        else:
            rules.append(Rule(section, pattern, f"{source}:{number}"))  # type: ignore[arg-type]
    return Rules(tuple(rules), tuple(ignore))


def phrase_rules(phrases: Iterable[tuple[str, str]], source: str = "programme") -> Rules:
    """A lead's own phrases, as (category, phrase): whole words, `*` for any ending.

    Leads are not asked to write regular expressions: "pinches me" matches those
    words anywhere, "pinch* me" matches "pinched me" and "pinching me" too.
    """
    rules = []
    for category, phrase in phrases:
        if category not in SAFEGUARDING_CATEGORIES:
            raise PatternError(f"unknown category {category!r}")
        words = normalise(phrase).split()
        if not words:
            raise PatternError("an empty phrase")
        body = r"\s".join(re.escape(w).replace(r"\*", r"\w*") for w in words)
        rules.append(Rule(category, re.compile(r"(?<!\w)" + body + r"(?!\w)"), source))
    return Rules(tuple(rules))


def check_phrase(phrase: str) -> str:
    """The phrase as it will be matched, or PatternError if it cannot match anything."""
    words = normalise(phrase).split()
    if not words or not any(ch.isalnum() for ch in "".join(words)):
        raise PatternError("a phrase needs at least one word")
    return " ".join(words)


def detect(text: str, rules: Rules) -> Disclosure | None:
    """The disclosure in `text`, or None. Idioms are blanked out before the rules run."""
    normal = normalise(text)
    for idiom in rules.ignore:
        normal = idiom.sub(" | ", normal)
    found: dict[SafeguardingCategory, str] = {}
    for rule in rules.rules:
        if rule.category in found:
            continue
        match = rule.pattern.search(normal)
        if match:
            found[rule.category] = match.group(0).strip()
    if not found:
        return None
    ordered = tuple(c for c in SAFEGUARDING_CATEGORIES if c in found)
    return Disclosure(category=ordered[0], categories=ordered, phrase=found[ordered[0]])


def _apostrophe(found: re.Match[str]) -> str:
    word = found.group(0)
    if word.endswith("t"):
        return word[:-1] + "'t"
    for suffix in ("m", "ve", "s", "re"):
        if word.endswith(suffix):
            return word[: -len(suffix)] + "'" + suffix
    return word  # pragma: no cover - the pattern only finds the forms above


def _expand(pattern: str, macros: dict[str, str], line: int) -> str:
    def substitute(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in macros:
            raise PatternError(f"unknown macro {{{name}}}", line)
        return macros[name]

    return _MACRO_USE.sub(substitute, pattern)


def _compile(pattern: str, line: int) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise PatternError(f"not a valid pattern ({error})", line) from error
