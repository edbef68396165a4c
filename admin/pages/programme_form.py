"""Reading the programme form (flat HTML fields) into the schema, with plain-English errors."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

MAX_SEGMENT_ROWS = 30
MAX_CONTACT_ROWS = 10
LABELS = {
    "name": "Name",
    "code": "Code",
    "purpose": "Purpose",
    "level": "Level",
    "target": "Target sample",
    "segments": "Segments",
    "starts_on": "Start date",
    "ends_on": "End date",
    "languages": "Languages",
    "future_colour": "Colour of the future cards",
    "max_statements": "Statements per question",
    "reminder_after_hours": "Reminder after (hours)",
    "reminder_count": "Number of reminders",
    "quiet_close_days": "Close quiet conversations after (days)",
    "retention_days": "Keep contact details for (days)",
    "sms_number": "Number to text",
    "status": "Status",
    "safeguarding_contacts": "Safeguarding contact",
    "safeguarding_help": "Help text",
    "safeguarding_phrases": "Safeguarding phrase",
}


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _optional(form: FormData, name: str) -> str | None:
    return _text(form, name) or None


def form_values(form: FormData, *, with_code: bool) -> dict[str, Any]:
    """The raw values for ProgrammeCreate/ProgrammeUpdate; empty fields mean 'not set'."""
    segments = []
    for index in range(MAX_SEGMENT_ROWS):
        name = _text(form, f"segment_name_{index}")
        target = _text(form, f"segment_target_{index}")
        if name or target:
            segments.append({"name": name, "target": target or None})
    contacts = []
    for index in range(MAX_CONTACT_ROWS):
        row = {
            key: _text(form, f"contact_{key}_{index}") or None for key in ("name", "email", "phone")
        }
        if any(row.values()):
            contacts.append({**row, "name": row["name"] or ""})
    values: dict[str, Any] = {
        "name": _text(form, "name"),
        "purpose": _text(form, "purpose"),
        "level": _text(form, "level") or "service",
        "target": _optional(form, "target"),
        "segments": segments,
        "starts_on": _optional(form, "starts_on"),
        "ends_on": _optional(form, "ends_on"),
        "languages": [v for v in form.getlist("languages") if isinstance(v, str)] or ["en"],
        "future_colour": _text(form, "future_colour") or "#1f5fa8",
        "max_statements": _optional(form, "max_statements") or 5,
        "reminder_after_hours": _optional(form, "reminder_after_hours") or 24,
        "reminder_count": _optional(form, "reminder_count") or 0,
        "quiet_close_days": _optional(form, "quiet_close_days") or 7,
        "retention_days": _optional(form, "retention_days") or 90,
        "sms_number": _optional(form, "sms_number"),
        "status": _text(form, "status") or "draft",
        "safeguarding_contacts": contacts,
        "safeguarding_help": _text(form, "safeguarding_help"),
        "safeguarding_phrases": phrase_lines(_text(form, "safeguarding_phrases")),
    }
    if with_code:
        values["code"] = _text(form, "code")
    return values


def phrase_lines(text: str) -> list[dict[str, str]]:
    """One phrase a line, "category: words" (e.g. "physical: nip* me")."""
    phrases = []
    for line in text.splitlines():
        if not line.strip():
            continue
        category, colon, phrase = line.partition(":")
        if not colon:
            category, phrase = "", line
        phrases.append({"category": category.strip().lower().replace(" ", "_"), "phrase": phrase})
    return phrases


def friendly_errors(error: ValidationError) -> list[str]:
    """One line per problem, named by the label people see on the form."""
    lines = []
    for item in error.errors():
        loc = [str(part) for part in item["loc"]]
        label = LABELS.get(loc[0], loc[0].replace("_", " ").capitalize()) if loc else "Form"
        if loc and loc[0] == "segments" and len(loc) > 1:
            label = f"Segment {int(loc[1]) + 1}" if loc[1].isdigit() else label
        elif loc and loc[0].startswith("safeguarding_") and len(loc) > 1 and loc[1].isdigit():
            label = f"{label} {int(loc[1]) + 1}"
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"{label}: {message[0].lower() + message[1:] if message else message}")
    return lines
