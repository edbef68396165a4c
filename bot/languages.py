"""Choosing a person's first language from their own setting and the programme's list."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError


def first_language(languages: list[str] | tuple[str, ...], hint: str | None) -> str:
    """The programme's first language, unless the person's setting names one it offers.

    `hint` is Telegram's `language_code` or a browser's Accept-Language (`cy-GB,en;q=0.8`).
    """
    offered = list(languages) or ["en"]
    if not hint:
        return offered[0]
    wanted = [part.split(";")[0].strip().replace("-", "_") for part in hint.split(",")]
    plain = {code.split("@")[0]: code for code in reversed(offered) if "@" not in code}
    plain.update({code: code for code in offered if "@" not in code})
    try:
        chosen = Locale.negotiate([w for w in wanted if w], list(plain), sep="_")
    except (ValueError, UnknownLocaleError):
        chosen = None
    if chosen is None:
        return offered[0]
    return plain.get(str(chosen), plain.get(chosen.language, offered[0]))
