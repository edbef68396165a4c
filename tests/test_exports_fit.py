"""Wrapping and the size search, on plain numbers (no fonts)."""

from __future__ import annotations

from admin.exports.fit import Token, count_lines, largest_size, wrap
from admin.exports.geometry import Box


def tokens(*widths: float) -> list[Token]:
    return [Token(f"w{i}", w) for i, w in enumerate(widths)]


def test_greedy_wrap_and_count_agree() -> None:
    ts = tokens(3, 3, 3, 5, 1)
    lines = wrap(ts, space=1, limit=7)
    assert [line.text for line in lines] == ["w0 w1", "w2", "w3 w4"]
    assert [line.width for line in lines] == [7, 3, 7]
    assert count_lines(ts, space=1, limit=7) == 3


def test_a_token_wider_than_the_line_cannot_be_counted() -> None:
    assert count_lines(tokens(2, 9), space=1, limit=8) is None
    assert count_lines([], space=1, limit=8) == 0


def test_joined_pieces_take_no_space() -> None:
    ts = [Token("ab", 2), Token("cd", 2, joined=True), Token("ef", 2)]
    assert [line.text for line in wrap(ts, space=1, limit=5)] == ["abcd", "ef"]
    assert [line.text for line in wrap(ts, space=1, limit=7)] == ["abcd ef"]


def test_largest_size_finds_the_boundary() -> None:
    assert largest_size(lambda s: s <= 17.3, 1, 40) == 17.0
    assert largest_size(lambda s: s <= 17.5, 1, 40) == 17.5
    assert largest_size(lambda s: True, 1, 40) == 40
    assert largest_size(lambda s: False, 1, 40) is None


def test_box_containment() -> None:
    outer = Box(0, 0, 10, 10)
    assert outer.contains(Box(1, 1, 9, 9))
    assert not outer.contains(Box(1, 1, 9.1, 9))
    assert outer.inset(2) == Box(2, 2, 6, 6)
