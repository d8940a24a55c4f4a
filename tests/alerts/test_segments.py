"""SMS segment counting: GSM-7 with its extension table, UCS-2 in UTF-16 code units, and
no two-unit character split across segments."""

from __future__ import annotations

import pytest

from belegung.alerts.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SegmentCount,
    count_segments,
)

EMOJI = "\N{SNOWFLAKE}\N{VARIATION SELECTOR-16}"  # ❄️: two BMP code points
THERMOMETER = "\N{THERMOMETER}"  # U+1F321, outside the BMP: a surrogate pair


def test_the_tables_have_the_size_of_gsm_03_38() -> None:
    # 128 codes less ESC; ten characters reached through ESC.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10


def test_empty_text_is_one_message() -> None:
    assert count_segments("") == SegmentCount("GSM-7", 0, 1)


@pytest.mark.parametrize(
    ("length", "segments"),
    [(1, 1), (160, 1), (161, 2), (153 * 2, 2), (153 * 2 + 1, 3), (153 * 3, 3)],
)
def test_plain_text_fits_160_in_one_and_153_per_part(length: int, segments: int) -> None:
    assert count_segments("a" * length) == SegmentCount("GSM-7", length, segments)


def test_german_umlauts_and_sharp_s_are_gsm7() -> None:
    text = "äöüÄÖÜß" * 20 + "Notschlafstelle Nortkirchenstraße"
    result = count_segments(text)
    assert result.encoding == "GSM-7"
    assert result.units == len(text)


def test_capital_c_cedilla_is_gsm7_but_small_is_not() -> None:
    assert count_segments("Ç").encoding == "GSM-7"
    assert count_segments("ç").encoding == "UCS-2"


@pytest.mark.parametrize("char", sorted(GSM7_EXTENSION))
def test_each_extension_character_costs_two_septets(char: str) -> None:
    assert count_segments(char) == SegmentCount("GSM-7", 2, 1)


def test_extension_characters_count_against_the_160_limit() -> None:
    assert count_segments("a" * 158 + "€") == SegmentCount("GSM-7", 160, 1)
    assert count_segments("a" * 159 + "€") == SegmentCount("GSM-7", 161, 2)


def test_extension_character_is_not_split_across_segments() -> None:
    # 152 septets then an escape pair: the pair would straddle the 153rd septet, so it moves
    # to the next part. Counted naively (307 septets / 153) it would still be 3 parts.
    text = "a" * 152 + "€" + "a" * 152
    assert count_segments(text) == SegmentCount("GSM-7", 306, 3)
    # The same septets with the pair placed inside the first part fit in two.
    assert count_segments("€" + "a" * 304) == SegmentCount("GSM-7", 306, 2)


def test_escape_character_itself_is_not_gsm7_text() -> None:
    assert count_segments("\x1b").encoding == "UCS-2"


@pytest.mark.parametrize("char", ["–", "„", "“", "”", "’", "…", "ç", "\u0308"])
def test_typographic_characters_force_ucs2(char: str) -> None:
    result = count_segments("Winternothilfe aktiv " + char)
    assert result.encoding == "UCS-2"
    assert result.units == 22


@pytest.mark.parametrize(("length", "segments"), [(70, 1), (71, 2), (67 * 2, 2), (67 * 2 + 1, 3)])
def test_ucs2_fits_70_in_one_and_67_per_part(length: int, segments: int) -> None:
    text = "–" + "a" * (length - 1)
    assert count_segments(text) == SegmentCount("UCS-2", length, segments)


def test_one_ucs2_character_makes_the_whole_text_ucs2() -> None:
    # 100 GSM characters are one message alone, two with an en dash.
    assert count_segments("a" * 100).segments == 1
    assert count_segments("a" * 99 + "–") == SegmentCount("UCS-2", 100, 2)


def test_emoji_outside_the_bmp_is_two_code_units() -> None:
    assert count_segments(THERMOMETER) == SegmentCount("UCS-2", 2, 1)
    assert count_segments("a" * 68 + THERMOMETER) == SegmentCount("UCS-2", 70, 1)
    assert count_segments("a" * 69 + THERMOMETER) == SegmentCount("UCS-2", 71, 2)


def test_surrogate_pair_is_not_split_across_segments() -> None:
    # 66 units, then a pair on the 67th/68th unit: it moves to part two.
    text = "a" * 66 + THERMOMETER + "a" * 66
    assert count_segments(text) == SegmentCount("UCS-2", 134, 3)
    assert count_segments(THERMOMETER + "a" * 132) == SegmentCount("UCS-2", 134, 2)


def test_variation_selector_emoji_counts_each_code_point() -> None:
    assert count_segments(EMOJI) == SegmentCount("UCS-2", 2, 1)


def test_realistic_alert_stays_in_one_segment() -> None:
    text = (
        "Männerübernachtungsstelle Unionstraße: 63 von 70 Plätzen belegt (90 %), "
        "7 frei. Stand 21:05."
    )
    assert count_segments(text) == SegmentCount("GSM-7", len(text), 1)
