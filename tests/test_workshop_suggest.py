"""The lexical pile scorer (always installed) and the replay that measures suggestions."""

from __future__ import annotations

from collection.workshop.replay import read_themed, replay, shuffled_replay
from collection.workshop.suggest import LexicalScorer, PileText, Suggestion, words
from tests.support.workshop import SAMPLE


class WallOrder:
    """A scorer that knows nothing: every pile scores 0, so the oldest pile comes first."""

    name = "wall order"

    def rank(self, text: str, piles: list[PileText]) -> list[Suggestion]:  # type: ignore[override]
        return [Suggestion(p.pile_id, 0.0) for p in piles]


def test_words_drop_function_words_and_plural_endings() -> None:
    """'Seeing my friends' and 'see a friend' share 'friend'; 'my' and 'a' say nothing."""
    assert words("Seeing my friends") == ["see", "friend"]
    assert "friend" in words("I see a friend")


def test_a_pile_name_alone_attracts_a_matching_card() -> None:
    """With no cards yet, the pile's "I" statement is what the card is scored against."""
    piles = [PileText(1, "My home", ()), PileText(2, "I am lonely", ())]
    ranked = LexicalScorer(name_weight=1.0).rank("I feel lonely at weekends", piles)
    assert ranked[0] == Suggestion(2, ranked[0].score) and ranked[0].score > 0
    assert ranked[1].score == 0


def test_lexical_suggestions_beat_knowing_nothing_on_the_sample() -> None:
    """Replayed over shuffled card calls of the sample, words put the true pile first more
    often, and in the first three more often, than the wall's order does."""
    cards = read_themed(SAMPLE)
    words_score = shuffled_replay(cards, LexicalScorer(name_weight=1.0), runs=10)
    blind = shuffled_replay(cards, WallOrder(), runs=10)
    assert words_score.counted == blind.counted > 0
    assert words_score.top1 > 1.5 * blind.top1
    assert words_score.top3 > blind.top3


def test_the_replay_counts_only_cards_whose_pile_exists() -> None:
    """Each theme's first card starts its pile and is not counted: 53 of the 75 themed cards."""
    cards = read_themed(SAMPLE)
    themes = {(c.category, c.theme) for c in cards}
    assert replay(cards, WallOrder()).counted == len(cards) - len(themes)
