"""How the admin marks and names the language of what people said.

Statements are stored with the bot's language codes ("ur", "cy", "en@easyread").
Pages that show them need a BCP 47 `lang` attribute, so screen readers speak
Welsh as Welsh and browsers pick fonts and shaping for Urdu, and `dir="auto"`,
so an Urdu statement reads right to left inside an English page. Reviewers need
the language named in English as well as in itself: a reviewer who does not
read Urdu still has to know that a statement is Urdu to find a translator.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.messages import LANGUAGE_NAMES, N_

ENGLISH_NAMES: dict[str, str] = {
    "en": N_("English"),
    "cy": N_("Welsh"),
    "pl": N_("Polish"),
    "ur": N_("Urdu"),
    "en@easyread": N_("Easy-read English"),
}
"""Languages named for the reviewer (the admin is in English)."""

_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def html_lang(code: str | None) -> str:
    """The `lang` attribute for a statement's language code.

    A locale modifier is not part of a language tag ("en@easyread" is English to
    a screen reader) and underscores become hyphens ("pt_BR" -> "pt-BR").
    Anything unusable becomes "und" (undetermined) rather than a wrong claim.
    """
    if not code:
        return "und"
    tag = code.split("@", 1)[0].replace("_", "-")
    return tag if _TAG.match(tag) else "und"


def language_label(code: str | None, translate: Callable[[str], str] = str) -> str:
    """'Urdu (اردو)', 'Welsh (Cymraeg)', 'English': the name a reviewer reads, then its own.

    `translate` names it in the page's language ("Wrdw (اردو)" on a Welsh page).
    """
    if not code:
        return translate(N_("Not known"))
    found = ENGLISH_NAMES.get(code)
    english = translate(found) if found is not None else None
    own = LANGUAGE_NAMES.get(code)
    if english is None:
        return own or code
    if own is None or own in (english, found) or code.startswith("en"):
        return english
    return f"{english} ({own})"
