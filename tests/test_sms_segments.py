"""SMS segment counting: GSM-7 versus UCS-2, single versus concatenated parts."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.twilio.segments import GSM7_BASIC, GSM7_EXTENSION, encoding, segments

BASIC = "".join(sorted(GSM7_BASIC))
EXTENSION = "".join(sorted(GSM7_EXTENSION))


def test_empty_text_is_no_segment() -> None:
    """Nothing to send costs nothing."""
    assert segments("") == 0
    assert encoding("") == "GSM-7"


def test_plain_english_is_gsm7() -> None:
    """An ordinary prompt stays in GSM-7."""
    text = "Hello! What is working well about your support? Reply STOP to opt out."
    assert encoding(text) == "GSM-7"
    assert segments(text) == 1


@pytest.mark.parametrize(
    ("length", "expected"),
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4), (1530, 10)],
)
def test_gsm7_boundaries(length: int, expected: int) -> None:
    """160 septets fit one segment; past that each part carries 153."""
    assert segments("a" * length) == expected


def test_every_basic_character_costs_one_septet() -> None:
    """The whole basic table is GSM-7 at one septet each."""
    text = (BASIC * 2)[:160]
    assert encoding(BASIC) == "GSM-7"
    assert segments(text) == 1
    assert segments(text + "a") == 2


@pytest.mark.parametrize("char", list(EXTENSION))
def test_extension_character_costs_two_septets(char: str) -> None:
    """An extension character is an escape plus itself: 80 of them fill a segment."""
    assert encoding(char) == "GSM-7"
    assert segments(char * 80) == 1
    assert segments(char * 81) == 2
    assert segments("a" * 159 + char) == 2


def test_euro_sign_counts_double() -> None:
    """The euro sign is in the extension table, so '€' x 76 fills a concatenated part."""
    assert segments("€" * 81) == 2
    assert segments("€" * 153) == 3  # 76 + 76 + 1: never 152.5 per part


def test_escape_pair_is_never_split_across_parts() -> None:
    """An extension character that would straddle a part boundary moves to the next part."""
    text = "a" * 152 + "€" + "a" * 152  # 306 septets: 2 parts if split, 3 if not
    assert segments(text) == 3
    assert segments("a" * 151 + "€" + "a" * 153) == 2  # the pair ends part one exactly


def test_gsm7_capital_c_cedilla_but_not_small() -> None:
    """GSM 03.38 has Ç at 0x09; ç is not in the alphabet and forces UCS-2."""
    assert encoding("Ça va") == "GSM-7"
    assert encoding("garçon") == "UCS-2"


@pytest.mark.parametrize(
    "text",
    ["it’s", "“quoted”", "Diolch o galon, ŵyr", "tab\there", "escape\x1b", "á", "😀", "—"],
)
def test_one_non_gsm_character_makes_ucs2(text: str) -> None:
    """Curly quotes, Welsh circumflexes, tabs, emoji and dashes are not GSM-7."""
    assert encoding(text) == "UCS-2"


@pytest.mark.parametrize(
    ("length", "expected"),
    [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
def test_ucs2_boundaries(length: int, expected: int) -> None:
    """70 UTF-16 units fit one segment; past that each part carries 67."""
    assert segments("ŵ" * length) == expected


def test_a_single_curly_quote_shrinks_the_segment() -> None:
    """One apostrophe from a smartphone keyboard turns 100 GSM chars into 2 UCS-2 segments."""
    assert segments("a" * 100) == 1
    assert segments("a" * 99 + "’") == 2
    assert segments("a" * 69 + "’") == 1


def test_emoji_count_as_two_code_units() -> None:
    """Characters outside the BMP are a surrogate pair: 35 emoji fill a segment."""
    assert segments("😀" * 35) == 1
    assert segments("😀" * 36) == 2
    assert segments("a" * 68 + "😀") == 1
    assert segments("a" * 69 + "😀") == 2


def test_surrogate_pair_is_never_split_across_parts() -> None:
    """An emoji that would straddle a part boundary moves to the next part."""
    text = "ŵ" * 66 + "😀" + "ŵ" * 66  # 134 units: 2 parts if split, 3 if not
    assert segments(text) == 3


def test_extension_characters_in_ucs2_cost_one_unit() -> None:
    """Once the message is UCS-2 the euro sign is a single code unit like any other."""
    assert segments("€" * 69 + "ŵ") == 1


@given(st.text(alphabet=st.sampled_from("abc XYZ019.,!?"), max_size=2000))
def test_plain_gsm_matches_the_textbook_formula(text: str) -> None:
    """Without extension characters GSM-7 is 1 up to 160, else ceil(n / 153)."""
    expected = 0 if not text else 1 if len(text) <= 160 else math.ceil(len(text) / 153)
    assert segments(text) == expected


@given(st.text(max_size=400), st.text(min_size=1, max_size=50))
def test_appending_never_costs_less(text: str, more: str) -> None:
    """A longer message never takes fewer segments than its beginning."""
    assert segments(text + more) >= segments(text) >= (1 if text else 0)


@given(st.text(max_size=400))
def test_segments_cover_the_units(text: str) -> None:
    """Parts always have room for every unit of the message."""
    if encoding(text) == "GSM-7":
        units = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        single, part = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    count = segments(text)
    assert count == (0 if units == 0 else 1 if units <= single else count)
    if units > single:
        assert math.ceil(units / part) <= count <= math.ceil(units / (part - 1))
