"""Engine replies as SMS and WhatsApp text, and as TwiML: short, because every segment is paid.

The plain text comes from `channels.render.reply_text`; SMS adds three savings:

- Typographic characters that would turn a whole message into UCS-2 (70
  characters a segment instead of 160) are swapped for their GSM-7 look-alikes
  (curly quotes, dashes, the ellipsis), as Twilio's Smart Encoding does, but
  only when that makes the whole message GSM-7: in UCS-2 they cost nothing extra.
- A list (the pick question, the summary) is fitted into `LIST_SEGMENTS`: each
  item longer than the room allows is cut at a word with an ellipsis. The
  person's full words are stored; only the echo is shortened.
- The programme's purpose sentence is shortened the same way when a welcome or
  an invite would go over `PROMPT_SEGMENTS`.

Several replies to one message go as one text when that costs no more segments
than sending them apart (`message_bodies`): one text arrives in order, separate
texts may not, and it usually saves a segment (a 202-character welcome plus a
55-character question is 3 segments apart and 2 together).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from twilio.twiml.messaging_response import MessagingResponse

from bot.model import Group, Reply
from channels.render import reply_text
from channels.twilio.segments import encoding, segments

LIST_SEGMENTS = 3
"""The pick question, the summary and other lists fit in this many SMS segments."""
PROMPT_SEGMENTS = 2
"""No English prompt goes over this many segments (with the programme's own purpose)."""
MAX_BODY = 1600
"""Twilio's limit for one message body, in characters."""
MIN_ITEM = 12
"""A list item is never cut shorter than this: below it nobody could tell items apart."""
MIN_PURPOSE = 40
JOINER = "\n\n"

_SMART = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2022": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2026": "...",
    }
)
_SPACES = re.compile(r"[ ]{2,}")
ELLIPSIS = "\u2026"


def sms_text(reply: Reply, language: str) -> str:
    """One reply as the text of one SMS (which may be several segments)."""
    if reply.groups:
        return _fit_list(reply, language)
    if reply.param_dict().get("purpose"):
        return _fit_purpose(reply, language)
    return _tidy(reply_text(reply, language))


def whatsapp_text(reply: Reply, language: str) -> str:
    """WhatsApp is not billed by segment: the full text, tidied."""
    return _tidy(reply_text(reply, language), smart=False)


def render(reply: Reply, language: str, channel: str) -> str:
    return whatsapp_text(reply, language) if channel == "whatsapp" else sms_text(reply, language)


def message_bodies(replies: Sequence[Reply], language: str, channel: str) -> list[str]:
    """The texts to send for `replies`, consecutive ones joined when that costs nothing."""
    texts = [text for text in (render(r, language, channel) for r in replies) if text]
    bodies: list[str] = []
    for text in texts:
        if bodies and _joinable(bodies[-1], text, channel):
            bodies[-1] = _tidy(bodies[-1] + JOINER + text, smart=channel != "whatsapp")
        else:
            bodies.append(text)
    return bodies


def twiml(bodies: Sequence[str]) -> str:
    """A TwiML answer with one <Message> per body; an empty <Response/> sends nothing.

    The empty answer is built once: in a burst every webhook gives it (the replies go
    later, through the outbox), and building it was a fiftieth of storing a message."""
    if not bodies:
        return _EMPTY_TWIML
    return _twiml(bodies)


def _twiml(bodies: Sequence[str]) -> str:
    # twilio's TwiML classes carry no annotations.
    response = MessagingResponse()  # type: ignore[no-untyped-call]
    for body in bodies:
        response.message(body)  # type: ignore[no-untyped-call]
    return str(response.to_xml())  # type: ignore[no-untyped-call]


_EMPTY_TWIML = _twiml(())


def _joinable(first: str, second: str, channel: str) -> bool:
    joined = first + JOINER + second
    if len(joined) > MAX_BODY:
        return False
    if channel == "whatsapp":
        return True
    return segments(_tidy(joined)) <= segments(first) + segments(second)


def _tidy(text: str, *, smart: bool = True) -> str:
    """Collapse doubled spaces (an empty purpose leaves one); GSM-7 look-alikes if they help."""
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    if smart and encoding(text) == "UCS-2":
        plain = text.translate(_SMART)
        if encoding(plain) == "GSM-7":
            return plain
    return text


def _fit_list(reply: Reply, language: str) -> str:
    """The reply with every list item cut to the longest length that fits `LIST_SEGMENTS`."""
    longest = max((len(item) for group in reply.groups for item in group.items), default=0)

    def at(limit: int) -> str:
        groups = tuple(
            Group(items=tuple(shorten(item, limit) for item in group.items), label=group.label)
            for group in reply.groups
        )
        return _tidy(reply_text(replace(reply, groups=groups), language))

    return _largest_fitting(at, longest, MIN_ITEM, LIST_SEGMENTS)


def _fit_purpose(reply: Reply, language: str) -> str:
    """The reply with the programme's purpose cut to fit `PROMPT_SEGMENTS`, if it must be."""
    params = reply.param_dict()
    purpose = str(params["purpose"])

    def at(limit: int) -> str:
        cut = {**params, "purpose": shorten(purpose, limit)}
        return _tidy(reply_text(replace(reply, params=tuple(cut.items())), language))

    return _largest_fitting(at, len(purpose), MIN_PURPOSE, PROMPT_SEGMENTS)


def _largest_fitting(at: Callable[[int], str], longest: int, floor: int, limit: int) -> str:
    """`at(n)` for the largest n in [floor, longest] whose text fits `limit` segments.

    Texts only get shorter as n falls, so a binary search finds it. When even
    the floor does not fit (a long translation in UCS-2, many items), the aim
    becomes the fewest segments the floor reaches, and within those as much of
    the text as they hold: never cut more than saving a segment needs.
    """
    if longest <= floor or segments(at(longest)) <= limit:
        return at(longest)
    target = max(limit, segments(at(floor)))
    low, high = floor, longest  # at(low) fits target; at(high) does not
    if segments(at(high)) <= target:
        return at(high)
    while high - low > 1:
        middle = (low + high) // 2
        if segments(at(middle)) <= target:
            low = middle
        else:
            high = middle
    return at(low)


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word with an ellipsis when too long.

    The ellipsis is one character here; `_tidy` makes it three dots when the
    message is GSM-7, so a cut item may come out two characters longer.
    """
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 1)]
    if " " in cut[len(cut) // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-.\u2026") + ELLIPSIS
