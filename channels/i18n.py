"""Participant-facing text in the person's language, from the gettext catalogs in `locales/`.

The language is passed in for every message (never a process-wide
`gettext.install`), because one process talks to many people in many languages.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from bot.messages import MESSAGES, VERBATIM

LOCALE_DIRS: dict[str, str] = {
    "en": "en_GB",
    "cy": "cy",
    "pl": "pl",
    "ur": "ur",
    "en@easyread": "en_GB@easyread",
}
"""Our language ids (stored on programmes and responses) -> gettext locale folders."""

RTL_LANGUAGES = frozenset({"ur"})


def locales_dir() -> Path:
    override = os.environ.get("WTFC_LOCALES_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[1] / "locales"


@lru_cache(maxsize=32)
def translations(language: str) -> NullTranslations:
    """The compiled catalog for a language id (English source text if there is none)."""
    folder = LOCALE_DIRS.get(language, language)
    return Translations.load(str(locales_dir()), [folder], domain="messages")


class _KeepMissing(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def message(key: str, language: str, params: dict[str, str | int] | None = None) -> str:
    """One message by key, translated and filled in."""
    params = params or {}
    if key in VERBATIM:
        return str(params.get("text", ""))
    source = MESSAGES.get(key)
    catalog = translations(language)
    if source is None:
        template = key  # a literal label (pick items, language names)
    elif isinstance(source, tuple):
        count = params.get("count", 1)
        template = catalog.ngettext(source[0], source[1], int(count))
    else:
        template = catalog.gettext(source)
    return template.format_map(_KeepMissing(params))


def is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES
