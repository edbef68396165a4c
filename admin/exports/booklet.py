"""What the cards and strips PDFs share: a document with the fonts, a warning for
characters no font can draw, and the cover page."""

from __future__ import annotations

import logging

from fpdf import FPDF

from admin.exports.cover import draw_cover
from admin.exports.deck import Deck
from admin.exports.document import new_document
from admin.exports.textblock import Setter
from admin.exports.typeset import Typesetter

log = logging.getLogger(__name__)


def start_booklet(deck: Deck, kind: str) -> tuple[FPDF, Setter]:
    """A new document with its cover page drawn, and the setter to lay out the rest."""
    pdf = new_document(deck.programme_name, deck.exported_at)
    setter = Setter(Typesetter(pdf))
    warn_missing(setter.ts, deck)
    draw_cover(pdf, setter, deck, kind)
    return pdf, setter


def warn_missing(ts: Typesetter, deck: Deck) -> None:
    """Log which characters no shipped font has: they print as empty boxes, and
    whoever runs the export should know before the workshop does."""
    texts = [s.card_text for s in deck.statements]
    texts += [s.translation for s in deck.statements if s.translation]
    missing = ts.missing(texts)
    if missing:
        log.warning(
            "No font for %d character(s), printed as boxes: %s",
            len(missing),
            " ".join(f"U+{ord(c):04X}" for c in sorted(missing)),
        )
