"""core.parsing: only ASCII digits make an integer."""
import pytest

from core.parsing import parse_ascii_int


@pytest.mark.parametrize(("value", "expected"), [
    ("0", 0), ("42", 42), (" 7 ", 7), ("007", 7), ("123456789", 123456789),
])
def test_ascii_digits_are_parsed(value, expected):
    assert parse_ascii_int(value) == expected


@pytest.mark.parametrize("value", [
    "", " ", "²", "1²", "١٢٣", "１２", "٣", "-1", "+1", "1.0", "1e3", "1_000", "0x10", "NaN", "inf", "-inf",
    "1234567890", "9" * 5000, "1\x00", "\x00", "12 34", "\u00a012", None, ["1"], ("1",), b"1", 1.5, True,
])
def test_everything_else_is_none(value):
    assert parse_ascii_int(value) is None


def test_max_digits_bounds_the_length():
    assert parse_ascii_int("1" * 12, max_digits=12) == 111111111111
    assert parse_ascii_int("1" * 13, max_digits=12) is None
