"""How many SMS segments a text costs, counted the way the GSM network bills it.

Every reply we send by SMS is paid per segment, and a single character outside
the GSM-7 alphabet (a curly quote, an emoji, a Welsh ŵ) turns the whole message
into UCS-2 and cuts a segment from 160 to 70 characters. Prompts are written to
fit, and this module is how tests and the sender check that they do.

Rules (3GPP TS 23.038 and 23.040, as Twilio applies them without Smart Encoding):

- GSM-7: the basic table costs one septet a character, the extension table
  (``^ { } \\ [ ~ ] | €`` and form feed) two (an escape and the character).
  One segment holds 160 septets; a concatenated message 153 per part, since
  the user data header takes the rest. An escape pair is never split across
  parts, so a part may carry 152.
- UCS-2: any character outside GSM-7 makes the whole message UCS-2, counted in
  UTF-16 code units (an emoji outside the BMP costs two). One segment holds 70
  units, a concatenated message 67 per part; a surrogate pair is never split.
- The empty text is 0 segments: nothing is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final, Literal

Encoding = Literal["GSM-7", "UCS-2"]

#: The GSM 03.38 basic table, less the escape (0x1B), which is no character of its own.
GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: The extension table: each of these costs an escape plus itself, two septets.
GSM7_EXTENSION: Final = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE: Final = 160
GSM7_PART: Final = 153
UCS2_SINGLE: Final = 70
UCS2_PART: Final = 67


def encoding(text: str) -> Encoding:
    """The encoding the network will use: GSM-7 only if every character is in its tables."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        return "GSM-7"
    return "UCS-2"


def segments(text: str) -> int:
    """The number of SMS segments ``text`` is sent (and billed) as; 0 for the empty text."""
    if not text:
        return 0
    if encoding(text) == "GSM-7":
        return _count_parts(_gsm7_costs(text), GSM7_SINGLE, GSM7_PART)
    return _count_parts(_ucs2_costs(text), UCS2_SINGLE, UCS2_PART)


def _gsm7_costs(text: str) -> Iterator[int]:
    """Septets per character: 2 for the extension table (escape + char), else 1."""
    return (2 if char in GSM7_EXTENSION else 1 for char in text)


def _ucs2_costs(text: str) -> Iterator[int]:
    """UTF-16 code units per character: 2 for a surrogate pair (outside the BMP), else 1."""
    return (2 if ord(char) > 0xFFFF else 1 for char in text)


def _count_parts(costs: Iterator[int], single: int, part: int) -> int:
    """Pack indivisible units greedily into parts; one part if the whole fits ``single``."""
    unit_costs = list(costs)
    if sum(unit_costs) <= single:
        return 1
    parts, used = 1, 0
    for cost in unit_costs:
        if used + cost > part:
            parts, used = parts + 1, 0
        used += cost
    return parts
