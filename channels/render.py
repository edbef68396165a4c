"""Turn an engine reply into plain text (SMS, terminal, web chat, Telegram message body)."""

from __future__ import annotations

import re

from bot.model import Reply
from channels.i18n import message

_SPACES = re.compile(r"(?<=\S) {2,}")


def reply_text(reply: Reply, language: str) -> str:
    """The reply as one block of text; numbered lists for picks, bullets under headings."""
    lines = [message(reply.key, language, reply.param_dict())]
    for group in reply.groups:
        if group.label:
            lines.append(message(group.label, language) + ":")
            if group.items:
                lines.extend(f"- {item}" for item in group.items)
            else:
                lines.append("- " + message("nothing_yet", language))
        else:
            lines.extend(f"{number}) {item}" for number, item in enumerate(group.items, 1))
    if reply.footer:
        lines.append(message(reply.footer, language))
    # An empty parameter (a programme with no purpose yet) must not leave a double space.
    return "\n".join(_SPACES.sub(" ", line).strip() for line in lines)


def button_label(label: str, literal: bool, language: str) -> str:
    return label if literal else message(label, language)
