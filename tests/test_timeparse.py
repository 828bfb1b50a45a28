"""Clock and duration parsing: the readings consistency checks rely on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmscore.timeparse import minutes_between, parse_clock, parse_date, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8:00 PM", (20 * 60, True, None)),
        ("15:00", (15 * 60, False, None)),
        ("01:20 AM", (80, True, None)),
        ("9:45 PM EST", (21 * 60 + 45, True, "EST")),
        ("14:30 UTC", (14 * 60 + 30, False, "UTC")),
        ("1430 hrs", (14 * 60 + 30, False, None)),
        ("8:00 PM GMT+1", (20 * 60, True, "GMT+1")),
        ("11:15 AM (UTC+3)", (11 * 60 + 15, True, "UTC+3")),
        ("12 AM", (0, True, None)),
        ("12:30 PM", (12 * 60 + 30, True, None)),
        ("6pm", (18 * 60, True, None)),
        ("2.30PM", (14 * 60 + 30, True, None)),
        ("10:05 a.m.", (10 * 60 + 5, True, None)),
        ("13:00:56", (13 * 60, False, None)),
        ("2024-03-15 14:30", (14 * 60 + 30, False, None)),
        ("midnight", (0, False, None)),
        ("10:00 local time", (600, False, "local time")),
        ("00:30 AM", (30, True, None)),
        ("13:00 PM", (13 * 60, True, None)),  # 24h hour with a stray PM keeps its 24h reading
    ],
)
def test_parse_clock(text: str, expected: tuple[int, bool, str | None]) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["", "1.30", "2023", "25:00", "10:75", "hello", "0 PM", "25 PM"])
def test_parse_clock_rejects_non_times(text: str) -> None:
    assert parse_clock(text) is None


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("3 hours", 180),
        ("an hour", 60),
        ("45 minutes", 45),
        ("2 hrs", 120),
        ("1h30m", 90),
        ("three-hour", 180),
        ("half an hour", 30),
        ("1.5 hours", 90),
        ("three hours", 180),
        ("2 hours and 15 minutes", 135),
        ("1 hour, 25 minutes", 85),
        ("an hour and a half", 90),
        ("2 and half hours", 150),
        ("twenty five minutes", 25),
        ("2 days", 2 * 24 * 60),
    ],
)
def test_parse_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["several hours", "a few minutes", "hours", "", "soon"])
def test_parse_duration_vague_is_none(text: str) -> None:
    assert parse_duration(text) is None


def test_minutes_between_crosses_midnight() -> None:
    assert minutes_between(21 * 60 + 45, 45) == 180  # 9:45 PM -> 12:45 AM
    assert minutes_between(8 * 60, 11 * 60 + 20) == 200
    assert minutes_between(600, 600) == 0


@given(st.integers(0, 23), st.integers(0, 59))
def test_24h_clock_roundtrip(h: int, m: int) -> None:
    parsed = parse_clock(f"{h:02d}:{m:02d}")
    assert parsed is not None and parsed[0] == h * 60 + m


@given(st.integers(1, 12), st.integers(0, 59), st.sampled_from(["AM", "PM", "am", "pm"]))
def test_12h_clock_matches_24h_reading(h: int, m: int, ap: str) -> None:
    parsed = parse_clock(f"{h}:{m:02d} {ap}")
    assert parsed is not None
    expected_hour = (h % 12) + (12 if ap.lower() == "pm" else 0)
    assert parsed[0] == expected_hour * 60 + m and parsed[1] is True


@given(st.integers(0, 1439), st.integers(0, 1439))
def test_minutes_between_inverts_addition(a: int, b: int) -> None:
    assert (a + minutes_between(a, b)) % 1440 == b


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-15", (2024, 3, 15)),
        ("March 15, 2024", (2024, 3, 15)),
        ("10th of May 2023", (2023, 5, 10)),
        ("23rd Nov 2020", (2020, 11, 23)),
        ("13-01-2023", (2023, 1, 13)),
        ("12/25/23", (2023, 12, 25)),
        ("Monday, March 15th", (None, 3, 15)),
        ("Sept. 3", (None, 9, 3)),
    ],
)
def test_parse_date(text: str, expected: tuple[int | None, int, int]) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["01/02/2023", "Foo 3", "2024-13-01", "March 40", ""])
def test_parse_date_refuses_ambiguous_or_invalid(text: str) -> None:
    assert parse_date(text) is None


# --------------------------------------------------------------------------- alternations

import re  # noqa: E402

from hypothesis import settings  # noqa: E402

from pmscore.timeparse import factor_alternations, first_letter_alternation  # noqa: E402

_WORD_CHARS = "abcsSkKiI~-_:%0 "
_words = st.lists(st.text(alphabet=_WORD_CHARS, min_size=1, max_size=5), min_size=1, max_size=8)
_texts = st.text(alphabet=_WORD_CHARS + "\u017f\u212a\u0130\u0131.\n", max_size=40)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_words, _texts, st.sampled_from(["", "(?i)"]), st.sampled_from(["", r"\b", "x?"]))
def test_first_letter_alternation_matches_like_the_plain_one(
        words: list[str], text: str, flags: str, tail: str) -> None:
    """Grouping by first character keeps every match (spans and order of tries), with or
    without (?i), with Unicode case look-alikes in the text and a tail that forces
    backtracking into the alternation."""
    alts = [re.escape(w) for w in words]
    plain = re.compile(flags + "(?:" + "|".join(alts) + ")" + tail)
    grouped = re.compile(flags + first_letter_alternation(alts) + tail)
    assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_first_letter_alternation_groups_and_falls_back() -> None:
    assert first_letter_alternation(["seven", "six", "ten"]) == "(?:s(?:even|ix)|t(?:en))"
    # "Abc" and "abc" would both be live under (?i): kept as written
    assert first_letter_alternation(["Abc", "abc"]) == "(?:Abc|abc)"
    # not a plain word source
    assert first_letter_alternation(["a|b", "c"]) == "(?:a|b|c)"


def test_factor_alternations_leaves_classes_and_escaped_parens() -> None:
    src = r"[(?:a|b)](x\(?:a|b)(?:over|once)\b"
    assert factor_alternations(src) == r"[(?:a|b)](x\(?:a|b)(?:o(?:ver|nce))\b"
    for text in ["(over", "a once", "x(:a", "xb once", "b)"]:
        assert [m.span() for m in re.finditer(factor_alternations(src), text)] == \
            [m.span() for m in re.finditer(src, text)]
