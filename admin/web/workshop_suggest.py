"""Which scorer suggests piles in this app: the embedding model when installed, else words.

Chosen once per app and kept on `app.state`, because loading a model takes a
few seconds. The optional extra `[workshop-ml]` installs the model; without it
(or if it fails to load) the lexical scorer answers, so the screen always works.
"""

from __future__ import annotations

import logging
import threading

from fastapi import FastAPI

from collection.settings import Settings
from collection.workshop.suggest import LexicalScorer, Scorer

log = logging.getLogger(__name__)

DEFAULT = LexicalScorer(name_weight=1.0, mode="centroid")
"""The best lexical variant on the sample statements (docs/workshop.md)."""


_BUILDING = threading.Lock()


def scorer_for(app: FastAPI) -> Scorer:
    """The app's scorer, built on first use. Loading the model takes seconds: call this
    (and `rank`) in a worker thread, never on the event loop (see api_workshop)."""
    with _BUILDING:
        found: Scorer | None = getattr(app.state, "workshop_scorer", None)
        if found is None:
            settings: Settings = app.state.settings
            found = DEFAULT if settings.workshop_suggestions == "lexical" else build_auto()
            app.state.workshop_scorer = found
        return found


def build_auto() -> Scorer:
    """The embedding scorer when its extra is installed and loads, else the lexical one."""
    try:
        from collection.workshop.embedding import EmbeddingScorer, available_models
    except ImportError:
        return DEFAULT
    models = available_models()
    if not models:
        return DEFAULT
    try:
        return EmbeddingScorer(model=models[0])
    except Exception:  # a broken install must not take the card call down
        log.warning("the workshop embedding model did not load; suggesting by words")
        return DEFAULT
