"""The quality check's detectors hold their targets on the labelled sets (docs/quality.md)."""

from __future__ import annotations

from admin.services import flags, ideas, professional
from admin.services.labelled import load, measure
from admin.services.wordlists import DEFAULT_PHRASES

LISTED = DEFAULT_PHRASES["en"]


def test_professional_language_meets_its_target() -> None:
    """Recall at least 90% and false alarms at most 10% over the whole labelled set."""
    examples = load("professional.csv")
    assert len(examples) >= 100
    assert sum(e.label == "professional" for e in examples) * 2 == len(examples)
    scores = measure(
        examples, "professional", lambda t: professional.score(t, listed=LISTED).flagged
    )["all"]
    assert scores.recall >= 0.90, scores.missed
    assert scores.false_alarm_rate <= 0.10, scores.alarms


def test_the_scorer_catches_far_more_than_the_old_word_list() -> None:
    """The old list alone catches about a quarter; the scorer more than three times that."""
    examples = load("professional.csv")
    old = measure(examples, "professional", lambda t: bool(flags.professional(t, LISTED)))
    new = measure(examples, "professional", lambda t: professional.score(t, listed=LISTED).flagged)
    assert old["all"].recall < 0.35
    assert new["all"].recall > 3 * old["all"].recall


def test_several_ideas_meets_its_target() -> None:
    """Statements with several ideas: recall at least 90%, false alarms at most 10%."""
    scores = measure(load("ideas.csv"), "several", ideas.several)["all"]
    assert scores.recall >= 0.90, scores.missed
    assert scores.false_alarm_rate <= 0.10, scores.alarms


def test_the_suggested_split_keeps_every_idea() -> None:
    """The issue's example comes apart into its three ideas, each tidied to start a card."""
    assert ideas.parts("the staff are kind but the dinners are cold and I would love a swim") == [
        "The staff are kind",
        "The dinners are cold",
        "I would love a swim",
    ]
