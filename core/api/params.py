"""Query parameters read by hand (not through a FilterSet or serializer): hostile values are a 400."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

MAX_SEARCH_LENGTH = 200


def search_text(request, *names, max_length=MAX_SEARCH_LENGTH):
    """The stripped text of the first of `names` given (e.g. "search", "q"); a NUL character or a text
    longer than `max_length` is a 400 naming the parameter."""
    for name in names:
        value = request.query_params.get(name)
        if value is None:
            continue
        if "\x00" in value:
            raise exceptions.ValidationError({name: [_("Null characters are not allowed.")]})
        if len(value) > max_length:
            raise exceptions.ValidationError({name: [_("Ensure this field has no more than %(max)d characters.")
                                                     % {"max": max_length}]})
        if value.strip():
            return value.strip()
    return ""
