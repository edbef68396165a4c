"""`VOTE 2 5 7`: a workshop vote by text, recognised without any I/O.

At the Theme workshop people vote for their three highest-priority "not
working" themes by the numbers on the wall. A text starting with the word VOTE
(any case) is such a vote wherever the person is in a conversation; the numbers
are read like picks (`2 5 7`, `2,5,7`, `2 and 5 and 7`). The word is English in
every language: it is printed on the wall next to the QR code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.parsing import numbers

_VOTE = re.compile(r"^\s*vote\b[\s:,.-]*(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class VoteRequest:
    """A text that asked to vote; `numbers` is None when they could not be read."""

    numbers: tuple[int, ...] | None


def parse_vote(text: str) -> VoteRequest | None:
    """The vote in this text, or None when the text is not a vote at all."""
    match = _VOTE.match(unicodedata.normalize("NFKC", text))
    if match is None:
        return None
    rest = match.group(1).strip()
    found = numbers(rest) if rest else None
    return VoteRequest(tuple(found) if found else None)
