"""URL path converters. `<id:pk>` is a database id: digits within the 64-bit range, so a huge number in a
path is a 404 like any unknown id (with `<int:>` it reached the database and crashed SQLite)."""

from django.urls import register_converter

MAX_ID = 2**63 - 1


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
