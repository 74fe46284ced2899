"""When a request for a catalogue item is usually done: its SLA resolution target on its business calendar."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Expected:
    target_seconds: int  # the resolution target (business seconds on the calendar, or wall seconds when 24x7)
    due_at: datetime  # from `start`
    business_hours: bool  # measured on a business calendar (“working days”) rather than around the clock


def expected_fulfilment(item, organization=None, start=None):
    """Expected for a request for `item` by someone of `organization` submitted at `start` (default now), or
    None when no service level target measures such requests."""
    return None
