"""The admin's own pages in English or Welsh (Welsh public bodies must offer both).

Templates mark their words with `{% trans %}` and `_()` (jinja2.ext.i18n, new-style
gettext, so `%(name)s` placeholders are filled and escaped by Jinja); Python marks
constant texts with `N_` and templates translate them with the `t` filter; a
message with values is a `Text`, translated when the page is drawn. The
catalogue is the "admin" domain in `locales/` (English is the source; Welsh in
`locales/cy/LC_MESSAGES/admin.po`), kept up to date by `scripts/i18n`.

The language is each admin's own choice, stored on their login (`User.language`),
and passed to every template as `ui_language`: never a process-wide install,
because one process serves Welsh and English admins at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from starlette.responses import Response

from admin.services.languages import language_label
from channels.i18n import locales_dir

DOMAIN = "admin"
LANGUAGES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}
"""Languages of the admin pages, each named in itself."""
DEFAULT = "en"
_FOLDERS = {"en": "en_GB", "cy": "cy"}


def N_(message: str) -> str:
    """Mark a constant for extraction; it is translated where it is shown (the `t` filter)."""
    return message


STATUS_NAMES: dict[str, str] = {
    "draft": N_("Draft"),
    "collecting": N_("Collecting"),
    "closed": N_("Closed"),
}
"""A programme's status as pages show it."""


@dataclass(frozen=True)
class Text:
    """A message with values (`%(code)s`), translated when the page is drawn."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.msgid % dict(self.params) if self.params else self.msgid

    def translated(self, language: str) -> str:
        text = translations(language).gettext(self.msgid)
        return text % dict(self.params) if self.params else text


@lru_cache(maxsize=8)
def translations(language: str) -> NullTranslations:
    """The admin catalogue for a language; English (the source) needs none."""
    if language == PSEUDO:
        return _Pseudo()
    if language not in _FOLDERS or language == DEFAULT:
        return NullTranslations()
    return Translations.load(str(locales_dir()), [_FOLDERS[language]], domain=DOMAIN)


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)


def language_of(context: Context) -> str:
    value = context.get("ui_language", DEFAULT)
    return value if isinstance(value, str) and (value in LANGUAGES or value == PSEUDO) else DEFAULT


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translations(language_of(context)).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, number: int) -> str:
    return translations(language_of(context)).ngettext(singular, plural, number)


@pass_context
def translate(context: Context, value: object) -> str:
    """The `t` filter: a `Text` or an `N_`-marked constant in the viewer's language."""
    language = language_of(context)
    if isinstance(value, Text):
        return value.translated(language)
    if value is None:
        return ""
    return translations(language).gettext(str(value))


def install(env: Environment) -> None:
    """Add `{% trans %}`, `_()`, `ngettext()` and the `t` filter to the admin's templates."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # a message's line breaks are layout, not words
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    env.filters["t"] = translate
    env.globals["status_names"] = STATUS_NAMES
    env.filters["language_label"] = _language_label


@pass_context
def _language_label(context: Context, code: str | None) -> str:
    """A statement's language named for the reviewer in the page's language, then in itself."""
    return language_label(code, translations(language_of(context)).gettext)


COOKIE = "wtfc_lang"
"""Remembers an admin's language in the browser, for pages drawn before we know who it is
(the sign-in page after signing out, error pages)."""
PSEUDO = "qps"
"""A pseudo-language for tests: every translated text comes out marked, so an unmarked one
shows. Nobody can choose it (the account form offers `LANGUAGES` only)."""


class _Pseudo(NullTranslations):
    """Marks every message of the admin catalogue template (and nothing else) with ⟦ ⟧.

    Only known messages are marked, so a text that never went through extraction
    (an unmarked literal, or data passed through the `t` filter) stays bare.
    """

    def __init__(self) -> None:
        super().__init__()
        with (locales_dir() / f"{DOMAIN}.pot").open("rb") as handle:
            catalog = read_po(handle)
        self.known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}

    def _mark(self, message: str) -> str:
        return "\u27e6" + message + "\u27e7" if message in self.known else message

    def gettext(self, message: str) -> str:
        return self._mark(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return (
            "\u27e6" + (singular if n == 1 else plural) + "\u27e7"
            if singular in self.known
            else (singular if n == 1 else plural)
        )


def remember_language(response: Response, language: str) -> None:
    if language in LANGUAGES:
        response.set_cookie(
            COOKIE, language, max_age=365 * 24 * 3600, httponly=True, samesite="lax", path="/"
        )


def choose(
    *, user_language: str | None, query: str | None, cookie: str | None, accept: str | None
) -> str:
    """The page's language: the signed-in admin's choice, else ?lang=, the cookie, the browser."""
    if user_language in LANGUAGES or user_language == PSEUDO:
        return str(user_language)
    for asked in (query, cookie):
        if asked in LANGUAGES or asked == PSEUDO:
            return str(asked)
    return negotiate(accept)


def negotiate(accept_language: str | None) -> str:
    """The admin language a browser asks for (before anyone signs in)."""
    if not accept_language:
        return DEFAULT
    wanted = [part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")]
    found = Locale.negotiate([w for w in wanted if w], list(LANGUAGES), sep="_")
    return str(found) if found is not None and str(found) in LANGUAGES else DEFAULT


def html_lang(language: str) -> str:
    """The page's `lang` attribute."""
    return "cy" if language == "cy" else "en-GB"
