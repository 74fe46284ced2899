"""The JSON parser of every API endpoint: nesting deeper than MAX_DEPTH (or deep enough to exhaust Python's
recursion) is a 400, not a RecursionError."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64


def depth_exceeds(data, limit=MAX_DEPTH):
    """True when lists/objects nest deeper than `limit` (iterative, so any depth is safe to check)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (list, dict)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
    return False


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        message = _("JSON nested deeper than %(max)d levels is not accepted.") % {"max": MAX_DEPTH}
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(message)
        if depth_exceeds(data):
            raise ParseError(message)
        return data
