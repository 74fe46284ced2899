"""Reusable SLA read queries (placeholders until the timer model lands: no ticket has a timer yet)."""


def filter_breached(queryset, value):
    """Tickets with (value=True) or without (False) a breached SLA timer."""
    if value is None:
        return queryset
    return queryset.none() if value else queryset


def filter_due_within(queryset, seconds):
    """Tickets with a running SLA timer due within `seconds` from now (or already overdue)."""
    return queryset.none()
