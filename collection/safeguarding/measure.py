"""Measure the safeguarding detector on the labelled sets and print the figures.

    python -m collection.safeguarding.measure [--set tune|holdout|all] [--misses]

Precision, recall and the false-alarm rate (share of ordinary statements that
alert) per set, per language and per category, as docs/quality.md reports them.
`tune` is the set the patterns were written against; `holdout` was written before
any pattern and never tuned on; `blind` was written after the first patterns and
measured once before being tuned on; `fresh` and `fresh2` likewise, in later rounds;
`fresh3` and `fresh4` too; `fresh5` is held out: never tuned on. docs/quality.md
gives the figures each set had when it was first measured.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.safeguarding import Rules, detect
from collection.safeguarding.rules import shipped_rules

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "safeguarding"
TUNED = ("tune", "holdout", "blind", "fresh", "fresh2", "fresh3", "fresh4")
"""Sets the rules have been written or tuned against (tests hold them to the targets)."""
HELD_OUT = ("fresh5",)
"""Written after the last change to the rules and never tuned on: the blind figure.
Do not change a rule because of what these get wrong; write a new set instead."""
SETS = TUNED + HELD_OUT


@dataclass(frozen=True)
class Example:
    split: str
    language: str
    category: str
    """The expected category, or "none" for an ordinary statement (a hard negative)."""
    text: str


@dataclass
class Tally:
    true_positive: int = 0
    false_negative: int = 0
    false_positive: int = 0
    true_negative: int = 0

    def add(self, expected: bool, alerted: bool) -> None:
        if expected and alerted:
            self.true_positive += 1
        elif expected:
            self.false_negative += 1
        elif alerted:
            self.false_positive += 1
        else:
            self.true_negative += 1

    @property
    def positives(self) -> int:
        return self.true_positive + self.false_negative

    @property
    def negatives(self) -> int:
        return self.false_positive + self.true_negative

    @property
    def recall(self) -> float | None:
        return self.true_positive / self.positives if self.positives else None

    @property
    def false_alarm_rate(self) -> float | None:
        return self.false_positive / self.negatives if self.negatives else None

    @property
    def precision(self) -> float | None:
        alerts = self.true_positive + self.false_positive
        return self.true_positive / alerts if alerts else None


def load(split: str) -> list[Example]:
    with (FIXTURES / f"{split}.csv").open(encoding="utf-8", newline="") as handle:
        return [
            Example(split, row["language"], row["category"], row["text"])
            for row in csv.DictReader(handle)
        ]


def tally(examples: Iterable[Example], rules: Rules) -> dict[str, Tally]:
    """Tallies keyed "all", "language:<id>" and "category:<name>"."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for example in examples:
        expected = example.category != "none"
        alerted = detect(example.text, rules) is not None
        tallies["all"].add(expected, alerted)
        tallies[f"language:{example.language}"].add(expected, alerted)
        if expected:
            tallies[f"category:{example.category}"].add(expected, alerted)
    return dict(tallies)


def misses(examples: Iterable[Example], rules: Rules) -> list[tuple[Example, str | None]]:
    """The examples the detector gets wrong, with the category it gave (if any)."""
    wrong: list[tuple[Example, str | None]] = []
    for example in examples:
        found = detect(example.text, rules)
        if (found is not None) != (example.category != "none"):
            wrong.append((example, found.category if found else None))
    return wrong


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def report(name: str, tallies: dict[str, Tally]) -> str:
    lines = [
        f"## {name}",
        "| slice | statements | disclosures | recall | ordinary | false alarms | precision |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in sorted(tallies, key=lambda k: (k != "all", k)):
        t = tallies[key]
        lines.append(
            f"| {key} | {t.positives + t.negatives} | {t.positives} | {_percent(t.recall)} "
            f"| {t.negatives} | {_percent(t.false_alarm_rate)} | {_percent(t.precision)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=(*SETS, "all", "tuned"), default="all")
    parser.add_argument("--misses", action="store_true", help="list the wrong answers")
    parser.add_argument(
        "--combined", action="store_true", help="also every set together, as one table"
    )
    args = parser.parse_args(argv)
    rules = shipped_rules()
    chosen = {"all": SETS, "tuned": TUNED}.get(args.set, (args.set,))
    for split in chosen:
        examples = load(split)
        print(report(f"{split} ({len(examples)} statements)", tally(examples, rules)))
        if args.misses:
            for example, category in misses(examples, rules):
                print(
                    f"  MISS {example.language} expected={example.category} got={category}: "
                    f"{example.text}"
                )
        print()
    if args.combined:
        tuned = [e for split in chosen if split in TUNED for e in load(split)]
        print(report(f"tuned sets together ({len(tuned)} statements)", tally(tuned, rules)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
