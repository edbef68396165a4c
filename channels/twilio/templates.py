"""WhatsApp's 24-hour window, and the approved templates that must be sent outside it.

WhatsApp lets a business write freely only within 24 hours of the person's last
message; anything we start later (an invite, a reminder, a "you said, we did"
round) must be a template Meta approved, sent through Twilio's Content API as
`ContentSid` plus `ContentVariables`. Twilio refuses free text outside the
window with 63016.

Which template serves which message in which language is a setting,
`WTFC_WHATSAPP_TEMPLATES`: `{"invite": {"en": "HX...", "cy": "HX..."}, "reminder":
{...}, "feedback": {...}}`. The variables each template receives are fixed here
(`VARIABLES`), so a template is written once against them (see the README).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.model import Reply

WINDOW = timedelta(hours=24)
TEMPLATED_KINDS = ("invite", "reminder", "feedback")
"""Outbox kinds we start ourselves; replies answer the person, so they are inside the window."""
VARIABLES: dict[str, tuple[str, ...]] = {
    "invite": ("name", "purpose", "code"),
    "reminder": (),
    "feedback": ("text",),
}
"""Template variable {{1}}, {{2}}... for each kind: the reply parameters, in this order."""
CONTENT_SID = re.compile(r"HX[0-9a-fA-F]{32}")
_LONG_SPACES = re.compile(r"\s{2,}")


class TemplateSettingError(ValueError):
    """`WTFC_WHATSAPP_TEMPLATES` names an unknown message or a SID that is not a Content SID."""


def check_templates(templates: Mapping[str, Mapping[str, str]]) -> None:
    for kind, by_language in templates.items():
        if kind not in TEMPLATED_KINDS:
            raise TemplateSettingError(
                f"WTFC_WHATSAPP_TEMPLATES: {kind!r} is not one of {', '.join(TEMPLATED_KINDS)}"
            )
        for language, sid in by_language.items():
            if not CONTENT_SID.fullmatch(sid):
                raise TemplateSettingError(
                    f"WTFC_WHATSAPP_TEMPLATES: {kind}.{language} is not a Content SID (HX...)"
                )


def window_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """True while the person's last message is under 24 hours old."""
    return last_inbound_at is not None and now - last_inbound_at < WINDOW


@dataclass(frozen=True)
class Template:
    """A Content SID and the values of its variables ({"1": ..., "2": ...})."""

    content_sid: str
    variables: dict[str, str]


def variable_value(value: str | int) -> str:
    """A value WhatsApp accepts in a template: no line breaks, tabs or runs of spaces, not empty."""
    text = _LONG_SPACES.sub(" ", str(value).replace("\n", " ").replace("\t", " ")).strip()
    return text or "-"


def template_for(
    templates: Mapping[str, Mapping[str, str]], kind: str, language: str, reply: Reply
) -> Template | None:
    """The template for this kind of message in this language, filled in; None if not set."""
    sid = templates.get(kind, {}).get(language)
    if sid is None:
        return None
    params = reply.param_dict()
    names = VARIABLES.get(kind, ())
    return Template(
        sid,
        {str(i): variable_value(params.get(name, "")) for i, name in enumerate(names, 1)},
    )
