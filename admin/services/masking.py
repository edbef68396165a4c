"""Anonymous cards by default: personal data nobody has approved is masked on export.

A room of 30 people reads every card aloud, so a name, a phone number, an
e-mail or an address found by the quality flags is replaced by a marker
("[name]", "[phone number]", "[e-mail]", "[address]") in cards, strips, CSV and
XLSX until a reviewer approves the original wording. Only the matched span is
replaced: the rest of the statement is the person's own words and stays.
"""

from __future__ import annotations

from admin.services.flags import Span, personal_spans

MARKERS: dict[str, str] = {
    "name": "[name]",
    "phone": "[phone number]",
    "email": "[e-mail]",
    "postcode": "[address]",
    "address": "[address]",
}


def mask(text: str) -> str:
    """`text` with each piece of personal data replaced by its marker."""
    return apply(text, personal_spans(text))


def apply(text: str, spans: list[Span]) -> str:
    """Replace `spans` (in order, not overlapping, as `personal_spans` gives them)."""
    parts: list[str] = []
    at = 0
    for span in spans:
        parts.append(text[at : span.start])
        parts.append(MARKERS[span.kind])
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


def mask_optional(text: str | None) -> str | None:
    return None if text is None else mask(text)
