"""URL path converters. `<id:pk>` is a database id: digits within the 64-bit range, so a huge number in a
path is a 404 like any unknown id (with `<int:>` it reached the database and crashed SQLite)."""

import re

from django.urls import register_converter

MAX_ID = 2**63 - 1
ASCII_DIGITS = re.compile(r"[0-9]+")


def parse_id(value):
    """`value` as a database id (ASCII digits within 1..MAX_ID), else None. str.isdigit() is not enough:
    it accepts '²' and other Unicode digits that int() and the database refuse."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    text = str(value if value is not None else "").strip()
    if not ASCII_DIGITS.fullmatch(text) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdConverter:
    regex = "[0-9]+"

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)  # no match: 404
        return number

    def to_url(self, value):
        return str(value)


def register():
    register_converter(IdConverter, "id")
