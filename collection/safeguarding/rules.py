"""The shipped safeguarding patterns and a programme's own phrases, read into `Rules`.

The pattern files are data (one per language, `patterns/<language>.txt`); every
file is applied to every statement whatever the conversation's language, since
people switch language mid-sentence and a missed disclosure costs more than a
stray match. A lead's phrases are stored on the programme and added on top.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.safeguarding import Rules, parse_rules, phrase_rules

PATTERN_DIR = Path(__file__).resolve().parent / "patterns"
PATTERN_LANGUAGES = ("en", "cy", "pl", "ur")
"""Easy-read English uses the English file."""


@lru_cache(maxsize=1)
def shipped_rules() -> Rules:
    """Every shipped pattern file, parsed once per process."""
    rules = Rules()
    for language in PATTERN_LANGUAGES:
        path = PATTERN_DIR / f"{language}.txt"
        rules = rules + parse_rules(path.read_text(encoding="utf-8"), source=path.name)
    return rules


def programme_phrases(stored: Iterable[Mapping[str, Any]] | None) -> list[tuple[str, str]]:
    """A programme's stored phrases ([{"category": ..., "phrase": ...}]) as pairs."""
    return [(str(p["category"]), str(p["phrase"])) for p in stored or () if p.get("phrase")]


def rules_for(stored: Iterable[Mapping[str, Any]] | None) -> Rules:
    """The shipped rules plus a programme's own phrases."""
    extra = programme_phrases(stored)
    return shipped_rules() + phrase_rules(extra) if extra else shipped_rules()
