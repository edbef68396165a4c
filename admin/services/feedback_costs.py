"""What a "you said, we did" text costs by SMS, per language, before anyone presses send.

Counted on the very text the SMS sender will send (rendered by the channel,
with its GSM-7 look-alikes), so the preview and the bill agree: one Welsh ŵ or
a curly apostrophe that has no look-alike turns the whole text into UCS-2 and
a segment from 160 characters to 70.
"""

from __future__ import annotations

from dataclasses import dataclass

from channels.twilio.render import sms_text
from channels.twilio.segments import encoding, segments
from collection.feedback import feedback_reply


@dataclass(frozen=True)
class SmsCost:
    """One language's text as an SMS: its segments, encoding and length as sent."""

    segments: int
    encoding: str
    characters: int


def sms_cost(text: str, language: str) -> SmsCost:
    body = sms_text(feedback_reply(text), language)
    return SmsCost(segments(body), encoding(body), len(body))


def sms_costs(texts: dict[str, str]) -> dict[str, SmsCost]:
    return {language: sms_cost(text, language) for language, text in texts.items() if text}
