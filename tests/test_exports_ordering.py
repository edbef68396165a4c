"""Card-call order: categories in the method's order, a stable seeded shuffle,
one person's statements kept apart, and short references."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import replace
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from admin.exports.ordering import order_for_card_call, reference_width, spread_apart
from tests.fixtures.exports.decks import make_deck, sample_deck, sample_statements, statement
from tests.support.fuzz import examples


def _neighbours(cards: list, key=lambda c: c.statement.response_key) -> int:  # type: ignore[no-untyped-def]
    return sum(key(a) == key(b) for a, b in pairwise(cards))


def test_card_call_order_is_working_then_not_working_then_future() -> None:
    cards = order_for_card_call(sample_deck())
    categories = [c.statement.category for c in cards]
    assert categories[0] == "working"
    # Each category is one contiguous run, in the method's order.
    runs = [cat for i, cat in enumerate(categories) if i == 0 or categories[i - 1] != cat]
    assert runs == ["working", "not_working", "future"]


def test_references_count_up_per_category_with_two_digits() -> None:
    cards = order_for_card_call(sample_deck())
    for letter, category in (("W", "working"), ("N", "not_working"), ("F", "future")):
        refs = [c.reference for c in cards if c.statement.category == category]
        assert refs == [f"{letter}-{n:02d}" for n in range(1, len(refs) + 1)]


def test_three_digit_references_when_a_category_has_a_hundred_or_more() -> None:
    deck = make_deck(
        [statement(i, f"Statement {i}", "working") for i in range(1, 101)]
        + [statement(200 + i, f"Future {i}", "future") for i in range(1, 10)]
    )
    cards = order_for_card_call(deck)
    working = [c.reference for c in cards if c.statement.category == "working"]
    future = [c.reference for c in cards if c.statement.category == "future"]
    assert working[0] == "W-001" and working[-1] == "W-100"
    assert future[0] == "F-01"
    assert all(re.fullmatch(r"W-\d{3}", r) for r in working)
    assert reference_width(99) == 2 and reference_width(100) == 3 and reference_width(1000) == 4


def test_same_deck_gives_same_order_and_references_whatever_the_input_order() -> None:
    deck = sample_deck()
    shuffled = list(deck.statements)
    random.Random(1).shuffle(shuffled)
    first = [(c.reference, c.statement.statement_id) for c in order_for_card_call(deck)]
    again = [(c.reference, c.statement.statement_id) for c in order_for_card_call(deck)]
    reordered = order_for_card_call(replace(deck, statements=shuffled))
    assert first == again
    assert first == [(c.reference, c.statement.statement_id) for c in reordered]


def test_the_order_is_shuffled_by_the_programme_seed() -> None:
    ids = [c.statement.statement_id for c in order_for_card_call(sample_deck(seed=1))]
    other = [c.statement.statement_id for c in order_for_card_call(sample_deck(seed=2))]
    assert sorted(ids) == sorted(other)
    assert ids != other
    # Not simply the database order either.
    assert ids != sorted(ids)


def test_one_persons_statements_are_not_neighbours() -> None:
    # Three statements per person in the sample, and several people: always avoidable.
    deck = make_deck(sample_statements(per_person=3))
    for seed in range(20):
        cards = order_for_card_call(replace(deck, seed=seed))
        for category in ("working", "not_working", "future"):
            run = [c for c in cards if c.statement.category == category]
            assert _neighbours(run) == 0, (seed, category)


def test_when_one_person_dominates_their_statements_are_spread_as_far_as_possible() -> None:
    # Six statements from person 1 and two from others: at best 6 - 2 - 1 = 3 neighbour pairs.
    statements = [statement(i, f"Mine {i}", "working", response_key=1) for i in range(1, 7)]
    statements += [statement(10, "Other", "working", response_key=2)]
    statements += [statement(11, "Another", "working", response_key=3)]
    cards = order_for_card_call(make_deck(statements))
    assert _neighbours(cards) == 3
    keys = [c.statement.response_key for c in cards]
    assert keys[0] == 1 and keys[2] == 1  # others interleaved from the start


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=6), max_size=40), st.randoms())
def test_spread_apart_leaves_the_fewest_possible_neighbours(
    keys: list[int], rnd: random.Random
) -> None:
    items = list(keys)
    rnd.shuffle(items)
    spread = spread_apart(items, key=lambda k: k)
    assert Counter(spread) == Counter(items)
    top = max(Counter(items).values(), default=0)
    fewest = max(0, top - (len(items) - top) - 1)
    assert _neighbours(spread, key=lambda k: k) == fewest


def test_spread_apart_keeps_the_given_order_when_nothing_needs_moving() -> None:
    assert spread_apart([1, 2, 3, 1, 2, 3], key=lambda k: k) == [1, 2, 3, 1, 2, 3]
    assert spread_apart([1, 1, 2, 2], key=lambda k: k) == [1, 2, 1, 2]
