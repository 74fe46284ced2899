"""Schedule conflicts: two open changes touching the same CI, or CIs affecting the same service, in overlapping
windows; a change inside a blackout window. STUB: replaced by the schedule helper."""


def for_change(change):
    """[{"kind": "ci_overlap" | "service_overlap" | "blackout", "change": id or None,
    "blackout_window": id or None, "detail": str}] for one change."""
    return []
