"""Several ideas on one card: find statements that hold more than one, and suggest a split.

The method asks for one idea per card: the room clusters cards, and a card
saying "the staff are kind but the dinners are cold and I would love a swim"
belongs in three clusters at once. This looks for clause boundaries: sentence
ends, and "but", "and", "also", "plus", "however", "although" where what
follows starts a new clause (a subject and a verb), not a list ("fish and
chips", "my mum and dad"). Causes and conditions ("so", "because", "when")
keep one idea together. A flag is a prompt for a reviewer, who decides and can
split the statement on the quality page.
"""

from __future__ import annotations

import re

MIN_WORDS = 3
"""A part needs this many words to count as an idea of its own."""
MIN_SENTENCE_WORDS = 4
"""A sentence of fewer words ("Nobody tells me.") usually adds to the one before."""

_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\s*\n+\s*|\s+-\s+")
_JOINERS = re.compile(
    r",?\s+(?:but|and\s+also|and|also|plus|however|although|though|whereas|while)\s+"
    r"|,\s+(?:then|also)\s+|,\s+",
    re.IGNORECASE,
)
_SUBORDINATE = re.compile(
    r"^(?:when|if|because|after|before|since|as|once|until|unless|whenever|even|so|though|"
    r"although|while)\b",
    re.IGNORECASE,
)
_SUBJECT = re.compile(
    r"^(?:I|we|they|he|she|you)\s+\w+"
    r"|^(?:I|I'm|I’m|I've|I’ve|I'd|I’d|we|we're|he|she|they|they're|it|it's|it’s|there|"
    r"that|this|these|those|nobody|no\s+one|everyone|someone|people|staff|"
    r"(?:the|my|our|his|her|their|a|an|some|no|every|all)\s+\w+(?:\s+\w+)?)\s+"
    r"(?:\w+n't\s+|not\s+|never\s+|always\s+|really\s+|also\s+|still\s+|just\s+|only\s+)?"
    r"(?:am|is|are|was|were|be|been|do|does|did|have|has|had|can|could|will|would|should|"
    r"must|might|may|get|gets|got|go|goes|went|want|wants|like|likes|love|loves|need|needs|"
    r"feel|feels|help|helps|make|makes|take|takes|come|comes|know|knows|keep|keeps|"
    r"\w+s|\w+ed|'s|’s|'m|’m|'re|’re|'ve|’ve|'d|’d|'ll|’ll)\b",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^(?:and|but|also|plus|however|although|though|then|so)\s+", re.I)


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _is_clause(text: str) -> bool:
    """Starts like a clause of its own: a subject and a verb, and enough words."""
    return _words(text) >= MIN_WORDS and bool(_SUBJECT.match(text.strip()))


def _tidy(part: str) -> str:
    part = _LEADING.sub("", part.strip(" ,;:-\t"))
    part = part.strip(" ,;:-\t")
    return part[:1].upper() + part[1:] if part else part


def parts(text: str) -> list[str]:
    """The statement cut where one idea ends and another begins (one part if it is one idea)."""
    found: list[str] = []
    for sentence in _SENTENCES.split(text.strip()):
        if not sentence.strip():
            continue
        pieces = [sentence]
        while True:
            cut = False
            for index, piece in enumerate(pieces):
                for match in _JOINERS.finditer(piece):
                    left, right = piece[: match.start()], piece[match.end() :]
                    if match.group(0).strip() == "," and _SUBORDINATE.match(left.strip()):
                        continue  # "When I get home, I feel tired" is one idea
                    if _words(left) >= MIN_WORDS and _is_clause(right):
                        pieces[index : index + 1] = [left, right]
                        cut = True
                        break
                if cut:
                    break
            if not cut:
                break
        found.extend(pieces)
    kept = [_tidy(p) for p in found]
    kept = [p for p in kept if _words(p) >= 1]
    merged: list[str] = []
    for part in kept:
        if merged and _words(part) < MIN_SENTENCE_WORDS:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged or [text.strip()]


def several(text: str) -> bool:
    """Whether the statement seems to hold more than one idea."""
    return len(parts(text)) > 1
