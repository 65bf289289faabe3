"""Parsing of untrusted input (forms, query strings, hidden fields, headers).

Python's int() accepts far more than a visitor types: Unicode digits ('١٢', '１２'),
underscores ('1_000'), signs and surrounding whitespace, and raises ValueError on
characters that str.isdigit() accepts ('²'). Every integer read from a request goes
through parse_ascii_int, so bad input is refused the same way everywhere and never
reaches int() unchecked.
"""
from __future__ import annotations

ASCII_DIGITS = frozenset("0123456789")
DEFAULT_MAX_DIGITS = 9  # < 2**31: fits every integer column and primary key


def parse_ascii_int(value, *, max_digits: int = DEFAULT_MAX_DIGITS) -> int | None:
    """The non-negative integer written in `value` with ASCII digits 0-9 only, else None.

    Surrounding ASCII spaces are ignored. None for anything else: an empty string, a sign
    ('-1', '+1'), a decimal point, a Unicode digit ('²', '١', '１'), more than `max_digits`
    digits, or a value that is not a string (a list from a repeated key, None, bytes).
    """
    if not isinstance(value, str):
        return None
    text = value.strip(" \t\r\n")
    if not text or len(text) > max_digits or not ASCII_DIGITS.issuperset(text):
        return None
    return int(text)
