"""Keywords a person can send at any point, in every language.

English keywords always work, whatever language a person chose: STOP must
never fail because someone switched to Welsh. The SMS opt-out words are
Twilio's standard set, honoured on every channel so that behaviour is the same
everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Keyword = Literal[
    "HELP",
    "STOP",
    "START",
    "BACK",
    "SKIP",
    "DONE",
    "RESTART",
    "CHANGE",
    "LANGUAGE",
    "DELETE",
    "YES",
    "NO",
]

ENGLISH: dict[str, Keyword] = {
    "help": "HELP",
    "info": "HELP",
    "stop": "STOP",
    "stopall": "STOP",
    "unsubscribe": "STOP",
    "cancel": "STOP",
    "end": "STOP",
    "quit": "STOP",
    "revoke": "STOP",
    "optout": "STOP",
    "start": "START",
    "unstop": "START",
    "back": "BACK",
    "undo": "BACK",
    "skip": "SKIP",
    "done": "DONE",
    "finished": "DONE",
    "restart": "RESTART",
    "change": "CHANGE",
    "language": "LANGUAGE",
    "delete": "DELETE",
    "yes": "YES",
    "y": "YES",
    "yeah": "YES",
    "ok": "YES",
    "no": "NO",
    "n": "NO",
}

BY_LANGUAGE: dict[str, dict[str, Keyword]] = {
    "en": {},
}
"""Per-language keywords, added to the English ones (see issue: languages)."""

LANGUAGE_WORDS: dict[str, str] = {
    "english": "en",
}
"""A language's own name, typed at any point, switches to it (e.g. CYMRAEG)."""

_TRAILING = re.compile(r"[\s.!。]+$")


def normalise(text: str) -> str:
    """Case, surrounding spaces and a final full stop do not matter for keywords."""
    folded = unicodedata.normalize("NFKC", text).strip()
    folded = _TRAILING.sub("", folded)
    folded = folded.lstrip("/")  # Telegram commands: /help, /stop
    return folded.casefold()


def match(text: str, language: str = "en") -> Keyword | None:
    """The keyword this message is, or None when it is an ordinary answer."""
    word = normalise(text)
    if not word or len(word) > 20:
        return None
    found = BY_LANGUAGE.get(language, {}).get(word)
    if found is None:
        for table in BY_LANGUAGE.values():
            if word in table and table[word] in ("STOP", "START"):
                found = table[word]
                break
    return found or ENGLISH.get(word)


def language_word(text: str) -> str | None:
    """The language id a message names in its own words (CYMRAEG -> cy), if any."""
    return LANGUAGE_WORDS.get(normalise(text))


OWN_WORDS: dict[str, str] = {"en": "ENGLISH"}
"""The word a person types to switch to a language, shown in the welcome."""


def own_word(language: str) -> str:
    return OWN_WORDS.get(language, "LANGUAGE")
