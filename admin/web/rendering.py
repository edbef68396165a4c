"""Rendering admin pages: one Jinja2 environment, Babel formatting in the viewer's locale.

Autoescaping is on for every template, so whatever people wrote (even `<script>`)
is shown as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from admin.services.languages import html_lang
from admin.services.local_time import LONDON
from admin.web import csrf, i18n
from admin.web.i18n import N_
from collection.models import User

HERE = Path(__file__).resolve().parents[1]
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["html_lang"] = html_lang
i18n.install(templates.env)
LOCALES = {"en_GB": N_("English (UK)"), "cy_GB": N_("Cymraeg")}
"""Locales an admin can choose for dates and numbers."""

NOTICES = {
    "saved": N_("Saved."),
    "created": N_("Created."),
    "signed_out": N_("You are signed out."),
    "password": N_("Your password has been changed."),
    "invited": N_("The invitation is on its way: it will be sent by text message shortly."),
    "recorded": N_("Thank you: the answers have been saved."),
    "erased": N_("Everything this person told us has been erased."),
    "revoked": N_("The token no longer works."),
    "reviewed": N_("Marked as reviewed."),
    "excluded": N_("Left out of the export."),
    "included": N_("Back in the export."),
    "edited": N_("The card text has been changed. The original words are kept."),
    "translated": N_("The translation is saved. It prints beneath the statement on the card."),
    "untranslated": N_("The translation is removed."),
}


class Formatter:
    """Dates and numbers for one viewer, in their locale, times in UK time."""

    def __init__(self, locale: str) -> None:
        try:
            self.locale = Locale.parse(locale)
        except (UnknownLocaleError, ValueError):
            self.locale = Locale.parse("en_GB")

    def date(self, value: date | datetime | None, form: str = "medium") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(LONDON).date() if LONDON else value.date()
        return format_date(value, format=form, locale=self.locale)

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, format="medium", tzinfo=LONDON, locale=self.locale)

    def number(self, value: float | int) -> str:
        return format_decimal(value, locale=self.locale)

    def percent(self, value: float) -> str:
        return format_percent(value, format="#,##0%", locale=self.locale)


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    user: User | None = None,
    csrf_token: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A page with what every page needs: the user, the CSRF token, formatting, notices."""
    notice = NOTICES.get(request.query_params.get("done", ""))
    language = i18n.choose(
        user_language=user.language if user is not None else None,
        query=request.query_params.get("lang"),
        cookie=request.cookies.get(i18n.COOKIE),
        accept=request.headers.get("accept-language"),
    )
    locale = "cy_GB" if language == "cy" else (user.locale if user else "en_GB")
    full: dict[str, Any] = {
        "user": user,
        "csrf_field": csrf.FIELD,
        "csrf_token": csrf_token or "",
        "fmt": Formatter(locale),
        "notice": notice,
        "path": request.url.path,
        "ui_language": language,
        "page_lang": i18n.html_lang(language),
        "attention": getattr(request.state, "attention", 0),
    }
    full.update(context or {})
    return templates.TemplateResponse(request, name, full, status_code=status_code)
