"""Measure pile suggestions by replaying a themed card call.

Protocol: within each category, cards are read out in order; each card is
scored against the piles formed by the cards before it, each pile named with its
true theme (as if the room had named it at once). Only cards whose true pile
already exists are counted (a card that starts a new pile cannot be suggested).
top-1: the true pile is the first suggestion; top-3: it is among the first three.
The file order groups each theme's cards together, which flatters a scorer; a
card call is shuffled, so the same replay also runs over seeded shuffles.

    python -m collection.workshop.replay tests/fixtures/workshop/statements-sample.csv
    python -m collection.workshop.replay FILE --embedding   # with the [workshop-ml] extra
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from collection.workshop.suggest import LexicalScorer, PileText, Scorer


@dataclass(frozen=True)
class Themed:
    category: str
    text: str
    theme: str


@dataclass(frozen=True)
class Score:
    counted: int
    top1: int
    top3: int

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.counted if self.counted else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.counted if self.counted else 0.0


def read_themed(path: Path) -> list[Themed]:
    """The rows with a theme (the sample's unthemed rows were left out of the workshop)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Themed(row["category"], row["text"], row["theme"])
            for row in csv.DictReader(handle)
            if row.get("theme", "").strip()
        ]


def replay(cards: Sequence[Themed], scorer: Scorer) -> Score:
    counted = top1 = top3 = 0
    for category in dict.fromkeys(c.category for c in cards):
        piles: dict[str, list[str]] = {}
        for card in (c for c in cards if c.category == category):
            if card.theme in piles:
                names = list(piles)
                texts = [
                    PileText(pile_id=i, name=name, cards=tuple(piles[name]))
                    for i, name in enumerate(names)
                ]
                ranked = [names[s.pile_id] for s in scorer.rank(card.text, texts)]
                counted += 1
                top1 += ranked[:1] == [card.theme]
                top3 += card.theme in ranked[:3]
            piles.setdefault(card.theme, []).append(card.text)
    return Score(counted, top1, top3)


def shuffled_replay(cards: Sequence[Themed], scorer: Scorer, runs: int) -> Score:
    """The replay over `runs` seeded shuffles of each category, added up."""
    total = Score(0, 0, 0)
    for seed in range(runs):
        order = list(cards)
        random.Random(seed).shuffle(order)
        one = replay(order, scorer)
        total = Score(total.counted + one.counted, total.top1 + one.top1, total.top3 + one.top3)
    return total


def scorers(embedding: bool) -> list[Scorer]:
    found: list[Scorer] = [
        LexicalScorer(name_weight=w, mode=m) for m in ("centroid", "max") for w in (0.0, 1.0, 3.0)
    ]
    if embedding:
        from collection.workshop.embedding import EmbeddingScorer, available_models

        for model in available_models():
            found += [
                EmbeddingScorer(model=model, name_weight=w, mode=m)
                for m in ("centroid", "max")
                for w in (0.0, 1.0)
            ]
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--embedding", action="store_true", help="add the embedding scorers")
    parser.add_argument("--shuffles", type=int, default=20)
    args = parser.parse_args(argv)
    cards = read_themed(args.file)
    print("| scorer | file order top-1 | top-3 | shuffled top-1 | top-3 | counted |")
    print("|---|---|---|---|---|---|")
    for scorer in scorers(args.embedding):
        plain = replay(cards, scorer)
        mixed = shuffled_replay(cards, scorer, args.shuffles)
        print(
            f"| {scorer.name} | {plain.top1_rate:.0%} | {plain.top3_rate:.0%} | "
            f"{mixed.top1_rate:.0%} | {mixed.top3_rate:.0%} | "
            f"{plain.counted} ({mixed.counted // max(1, args.shuffles)} shuffled) |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
