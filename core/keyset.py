"""Keyset paging shared by the API's cursor pagination and the HTML lists: no OFFSET, no COUNT(*)."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q


def after_q(ordering, values, reverse=False):
    """Rows strictly after `values` in `ordering` (lexicographic over the sort keys)."""
    condition = Q()
    for i, name in enumerate(ordering):
        descending = name.startswith("-") != reverse
        step = Q(**{f"{name.lstrip('-')}__{'lt' if descending else 'gt'}": values[i]})
        for previous, value in zip(ordering[:i], values[:i]):
            step &= Q(**{previous.lstrip("-"): value})
        condition |= step
    return condition


def plain(value):
    """A sort-key value as JSON can carry it."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def typed_values(model, ordering, raw_values, annotations=None):
    """Cursor values back to Python through each sort field (or annotation's output field); raises ValueError
    (or a Django error) if tampered."""
    if not isinstance(raw_values, list) or len(raw_values) != len(ordering):
        raise ValueError("cursor does not match the ordering")
    annotations = annotations or {}
    values = []
    for name, value in zip(ordering, raw_values):
        field_name = name.lstrip("-")
        if field_name in annotations:
            field = annotations[field_name].output_field
        else:
            field = model._meta.pk if field_name == "pk" else model._meta.get_field(field_name)
        values.append(field.to_python(value))
    return values
