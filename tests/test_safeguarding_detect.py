"""The safeguarding detector: labelled sets, the issue's hard negatives, leads' phrases."""

from __future__ import annotations

import pytest

from bot.safeguarding import PatternError, detect, normalise, parse_rules, phrase_rules
from collection.safeguarding import measure
from collection.safeguarding.rules import rules_for, shipped_rules

RECALL_TARGET = 0.95
FALSE_ALARM_TARGET = 0.10


@pytest.mark.parametrize("split", [*measure.TUNED, "all"])
def test_labelled_set_meets_the_targets(split: str) -> None:
    """Recall at least 95% and false alarms at most 10% on each tuned set and on all of them.

    The held-out set (measure.HELD_OUT) is reported in docs/quality.md, not asserted: it
    measures how the rules do on phrasings they were not written for, and is far lower.
    """
    chosen = measure.TUNED if split == "all" else (split,)
    examples = [e for name in chosen for e in measure.load(name)]
    overall = measure.tally(examples, shipped_rules())["all"]
    wrong = [(e.text, c) for e, c in measure.misses(examples, shipped_rules())]
    assert overall.recall is not None and overall.recall >= RECALL_TARGET, wrong
    assert overall.false_alarm_rate is not None
    assert overall.false_alarm_rate <= FALSE_ALARM_TARGET, wrong


def test_labelled_sets_are_at_least_half_hard_negatives() -> None:
    """The sets hold at least 100 statements, at least half of them ordinary ones."""
    examples = [e for split in measure.SETS for e in measure.load(split)]
    negatives = sum(e.category == "none" for e in examples)
    assert len(examples) >= 100
    assert negatives * 2 >= len(examples)
    assert {"cy", "pl", "ur"} <= {e.language for e in examples}


@pytest.mark.parametrize(
    "text",
    [
        "staff help me pay my bills",
        "I punched the air when we won",
        "the quiz was killing me",
        "I'd kill for a cup of tea",
    ],
)
def test_the_issues_ordinary_statements_do_not_alert(text: str) -> None:
    """Statements that only share words with a disclosure raise nothing."""
    assert detect(text, shipped_rules()) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("the man on the late shift slaps me", "physical"),
        ("my brother keeps all my benefit money", "financial"),
        ("I wish I was dead", "self_harm"),
        ("He said he is going to kill me", "danger"),
    ],
)
def test_the_issues_disclosures_alert_with_their_category(text: str, category: str) -> None:
    """The issue's own examples alert, named by their most urgent category."""
    found = detect(text, shipped_rules())
    assert found is not None and found.category == category


def test_texted_contractions_read_like_written_ones() -> None:
    """'hes drunk and im scared' is read as "he's drunk and i'm scared"."""
    assert normalise("hes drunk and im scared") == " he's drunk and i'm scared "
    assert detect("hes drunk and im scared", shipped_rules()) is not None


def test_a_leads_phrase_extends_the_shipped_rules() -> None:
    """A programme's phrase, with * for any ending, alerts where the shipped rules do not."""
    text = "the night man nips me when I ring"
    assert detect(text, shipped_rules()) is None
    found = detect(text, rules_for([{"category": "physical", "phrase": "nip* me"}]))
    assert found is not None and found.category == "physical"


def test_a_phrase_matches_whole_words_only() -> None:
    """'pin me' does not fire inside 'spin me round'."""
    rules = phrase_rules([("physical", "pin me")])
    assert detect("they spin me round at the disco", rules) is None
    assert detect("they pin me down", rules) is not None


def test_a_phrase_with_an_unknown_category_is_refused() -> None:
    with pytest.raises(PatternError):
        phrase_rules([("spooky", "boo")])


def test_a_broken_pattern_file_says_which_line() -> None:
    """A bad regex in a pattern file is reported with its line number."""
    with pytest.raises(PatternError, match="line 3"):
        parse_rules("[physical]\nhits me\n(unclosed\n")
    with pytest.raises(PatternError, match="unknown section"):
        parse_rules("[nonsense]\nx\n")
