"""Measuring a detector on a labelled set: recall and false alarms, per part of the set.

Detection claims in docs/quality.md come from here (`scripts/measure-quality`), and
the tests hold the same numbers to their targets. A set is a CSV with `text`,
`label` and `part` columns (lines starting with # are notes); the positive label
is named by the caller.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

SETS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "quality"


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    part: str


@dataclass
class Scores:
    positives: int = 0
    caught: int = 0
    negatives: int = 0
    false_alarms: int = 0
    missed: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.positives if self.positives else 0.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.negatives if self.negatives else 0.0


def load(name: str) -> list[Example]:
    with (SETS / name).open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return [Example(row["text"], row["label"], row["part"]) for row in rows]


def measure(
    examples: Iterable[Example], positive: str, detect: Callable[[str], bool]
) -> dict[str, Scores]:
    """Scores per part (in the order parts first appear) and for "all" (last)."""
    results: dict[str, Scores] = {}
    for example in examples:
        hit = detect(example.text)
        for part in (example.part, "all"):
            scores = results.setdefault(part, Scores())
            if example.label == positive:
                scores.positives += 1
                scores.caught += hit
                if not hit:
                    scores.missed.append(example.text)
            else:
                scores.negatives += 1
                scores.false_alarms += hit
                if hit:
                    scores.alarms.append(example.text)
    results["all"] = results.pop("all")
    return results
