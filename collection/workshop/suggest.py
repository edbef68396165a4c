"""Pile suggestions: which existing piles the card being read out is most like.

A suggestion is only a hint on the screen (one key takes it); nothing is placed
without the facilitator. Two scorers share one interface:

- `LexicalScorer` (always there): TF-IDF over the words of each pile's cards and
  its "I" statement, cosine similarity, either against the pile as a whole
  ("centroid") or against its closest card ("max").
- `collection.workshop.embedding.EmbeddingScorer` (optional extra
  `[workshop-ml]`): the same scoring over sentence-embedding vectors.

docs/workshop.md gives each one's top-1 and top-3 on the sample statements.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Mode = Literal["centroid", "max"]


@dataclass(frozen=True)
class PileText:
    """What a scorer knows of a pile: its id, its name and the text of its cards."""

    pile_id: int
    name: str
    cards: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    pile_id: int
    score: float
    """0 (nothing in common) to 1 (the same words); comparable within one card's list."""


class Scorer(Protocol):
    @property
    def name(self) -> str:
        """How docs/workshop.md and the API name this scorer."""
        ...

    def rank(self, text: str, piles: Sequence[PileText]) -> list[Suggestion]:
        """Every pile, most likely first."""
        ...


_WORD = re.compile(r"\w+", re.UNICODE)
_STOPWORD_TEXT = """
    a about after all also am an and any are as at be because been but by can can't could did
    do does don't for from had has have having he her him his how i i'm if in into is it its
    just like me more most much my no not of on one only or our really she so some than that
    the their them then there they this to too us very was we were what when where which who
    will with would you your"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""English function words: they say nothing about which pile a card belongs to."""


def words(text: str) -> list[str]:
    """Lower-case word stems: plain suffix stripping, enough to match 'friends' and 'friend'."""
    found = []
    for word in _WORD.findall(text.lower().replace("\u2019", "'")):
        if word in STOPWORDS or word.isdigit():
            continue
        found.append(_stem(word))
    return found


def _stem(word: str) -> str:
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


Vector = dict[str, float]


def _cosine(a: Vector, b: Vector) -> float:
    if not a or not b:
        return 0.0
    dot = sum(value * b.get(key, 0.0) for key, value in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


@dataclass(frozen=True)
class LexicalScorer:
    """TF-IDF cosine similarity; needs nothing beyond the standard library."""

    name_weight: float = 1.0
    """How much the pile's "I" statement counts against one of its cards (0: ignored)."""
    mode: Mode = "centroid"

    @property
    def name(self) -> str:
        return f"lexical-tfidf ({self.mode}, name weight {self.name_weight:g})"

    def rank(self, text: str, piles: Sequence[PileText]) -> list[Suggestion]:
        documents = [words(card) for pile in piles for card in pile.cards]
        documents += [words(pile.name) for pile in piles]
        documents.append(words(text))
        frequency: Counter[str] = Counter()
        for document in documents:
            frequency.update(set(document))
        total = len(documents)

        def vector(tokens: Sequence[str], weight: float = 1.0) -> Vector:
            counts = Counter(tokens)
            return {
                t: weight * (1 + math.log(c)) * (math.log((1 + total) / (1 + frequency[t])) + 1)
                for t, c in counts.items()
            }

        card_vector = vector(words(text))
        ranked = []
        for pile in piles:
            name_vector = vector(words(pile.name), self.name_weight)
            if self.mode == "centroid":
                centroid: Vector = dict(name_vector)
                for card in pile.cards:
                    for key, value in vector(words(card)).items():
                        centroid[key] = centroid.get(key, 0.0) + value
                score = _cosine(card_vector, centroid)
            else:
                scores = [_cosine(card_vector, vector(words(card))) for card in pile.cards]
                if self.name_weight > 0:
                    scores.append(min(1.0, self.name_weight) * _cosine(card_vector, name_vector))
                score = max(scores, default=0.0)
            ranked.append(Suggestion(pile.pile_id, round(score, 4)))
        return sort_suggestions(ranked)


def sort_suggestions(found: Sequence[Suggestion]) -> list[Suggestion]:
    """Best first; ties keep the wall's order (the older pile first)."""
    order = {s.pile_id: i for i, s in enumerate(found)}
    return sorted(found, key=lambda s: (-s.score, order[s.pile_id]))
