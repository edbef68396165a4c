"""Reading what people type: statements, numbers and empty messages."""

from __future__ import annotations

import pytest

from bot import parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 3", [1, 3]),
        ("1,3", [1, 3]),
        ("1 and 3", [1, 3]),
        ("1&3", [1, 3]),
        ("1, 3.", [1, 3]),
        ("۱ ۳", [1, 3]),
        ("2", [2]),
        ("I like 3 things", None),
        ("hello", None),
        ("", None),
        ("12345", None),
    ],
)
def test_numbers(text: str, expected: list[int] | None) -> None:
    """Pick replies are read in the forms people use; other text is not a pick."""
    assert parsing.numbers(text) == expected


def test_bulleted_lines_are_several_statements_and_plain_lines_one() -> None:
    """Only a message whose every line is numbered or bulleted is split."""
    assert parsing.split_statements("- a\n- b") == ["a", "b"]
    assert parsing.split_statements("1) tea\n2. cake\n3 - walks") == ["tea", "cake", "walks"]
    assert parsing.split_statements("I like it\nbecause it is warm") == [
        "I like it\nbecause it is warm"
    ]


def test_long_statements_are_kept_whole_and_flagged() -> None:
    """Over 500 characters a statement is flagged for review, never cut."""
    long = "word " * 200
    assert parsing.split_statements(long) == [long.strip()]
    assert parsing.statement_flags(long) == ("long",)
    assert parsing.statement_flags("short") == ()


def test_preview_cuts_at_a_word_with_an_ellipsis() -> None:
    """Lists show a short form; the full statement is stored elsewhere."""
    cut = parsing.preview("My support worker Jo really listens to me and helps me plan my week")
    assert cut.endswith("…") and len(cut) <= parsing.PREVIEW
    assert not cut[:-1].endswith(" ")


@pytest.mark.parametrize("text", ["", "   ", "👍", "?", "!!", "🎉🎉"])
def test_no_words(text: str) -> None:
    """Emoji, punctuation and empty messages carry no words to store."""
    assert not parsing.has_words(text)
    assert parsing.split_statements(text) == []


def test_control_characters_are_dropped_but_line_breaks_kept() -> None:
    assert parsing.clean("a\x00b\x07\nc\t") == "ab\nc"
