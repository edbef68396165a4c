"""Card-call order and the short references printed on cards.

The workshop reads every card aloud, working first, then not working, then the
future (the method's order). Within a category the order is shuffled so the room
does not hear one person's statements in a row (that would make them easier to
identify and would weight the clustering), but the shuffle is seeded from the
programme so that printing again gives the same cards the same references: a
facilitator holding W-07 from Tuesday's print can still find it on Friday's.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import TypeVar

from admin.exports.deck import Card, Deck, ExportStatement
from bot.model import CATEGORIES, CATEGORY_LETTER, Category

T = TypeVar("T")


def order_for_card_call(deck: Deck) -> list[Card]:
    """Every statement of the deck as a card, in card-call order, with its reference.

    Deterministic: depends only on the statements' content and `deck.seed`, not
    on the order the database returned them in.
    """
    by_category: dict[Category, list[ExportStatement]] = {c: [] for c in CATEGORIES}
    for statement in sorted(deck.statements, key=lambda s: s.statement_id):
        by_category[statement.category].append(statement)

    cards: list[Card] = []
    for category in CATEGORIES:
        statements = by_category[category]
        # A string seed is hashed with SHA-512 by `random`, so it is stable across
        # processes and Python versions (unlike hash()).
        rng = random.Random(f"{deck.seed}:{category}")
        shuffled = list(statements)
        rng.shuffle(shuffled)
        spread = spread_apart(shuffled, key=lambda s: s.response_key)
        width = reference_width(len(spread))
        letter = CATEGORY_LETTER[category]
        cards.extend(
            Card(reference=f"{letter}-{n:0{width}d}", statement=s)
            for n, s in enumerate(spread, start=1)
        )
    return cards


def reference_width(count: int) -> int:
    """Digits in a category's references: at least 2 (W-07), more when needed (W-107)."""
    return max(2, len(str(count)))


def spread_apart(items: Sequence[T], key: Callable[[T], object]) -> list[T]:
    """Reorder `items` so that no two neighbours share a key, where that is possible.

    Keeps to the given (shuffled) order as far as it can: at each step it takes
    the earliest remaining item whose key differs from the previous one and that
    leaves the rest still arrangeable. When one key holds more than half of what
    is left, no arrangement avoids neighbours; then that key is placed at every
    other position, which gives the fewest neighbouring pairs possible.
    """
    remaining = list(items)
    counts: Counter[object] = Counter(key(item) for item in remaining)
    # How many keys have each count, and the largest count: kept up to date in O(1)
    # per step so that a 10,000-card deck is not quadratic in the number of people.
    keys_with_count: defaultdict[int, int] = defaultdict(int)
    for c in counts.values():
        keys_with_count[c] += 1
    top = max(counts.values(), default=0)

    def take(index: int) -> T:
        nonlocal top
        item = remaining.pop(index)
        k = key(item)
        c = counts[k]
        keys_with_count[c] -= 1
        keys_with_count[c - 1] += 1
        counts[k] = c - 1
        if keys_with_count[top] == 0:
            top -= 1
        return item

    def arrangeable_after(k: object) -> bool:
        """Can what is left after taking one item with key k follow it with no neighbours?"""
        n = len(remaining) - 1
        c = counts[k] - 1
        others_top = top if (counts[k] < top or keys_with_count[top] > 1) else top - 1
        largest = max(c, others_top)
        if largest > (n + 1) // 2:
            return False
        # A key holding (n+1)/2 of an odd n must go first, so it cannot be k.
        return not (n % 2 == 1 and c == (n + 1) // 2)

    result: list[T] = []
    previous: object = _NOTHING
    while remaining:
        n = len(remaining)
        dominant = _dominant_key(counts, top, n, keys_with_count)
        index: int | None = None
        if dominant is not None:
            wanted = dominant if dominant != previous else None
            index = next(
                (
                    i
                    for i, item in enumerate(remaining)
                    if (key(item) == wanted if wanted is not None else key(item) != previous)
                ),
                None,
            )
        else:
            index = next(
                (
                    i
                    for i, item in enumerate(remaining)
                    if key(item) != previous and arrangeable_after(key(item))
                ),
                None,
            )
        if index is None:  # only the previous person's statements are left
            index = 0
        item = take(index)
        previous = key(item)
        result.append(item)
    return result


_NOTHING = object()


def _dominant_key(
    counts: Counter[object], top: int, n: int, keys_with_count: defaultdict[int, int]
) -> object | None:
    """The key holding more than half of the n items left, if there is one."""
    if top * 2 <= n or keys_with_count[top] != 1:
        return None
    return next(k for k, c in counts.items() if c == top)
