"""slm models, split by concern; import from `slm.models`."""

from importlib.util import find_spec

from .agreements import (Agreement, EscalationRule, MaintenanceWindow, ServiceLevelTarget,  # noqa: F401
                         TargetSetVersion)
from .calendars import BusinessCalendar, CalendarException, CalendarHours  # noqa: F401
from .catalogue import Service  # noqa: F401
from .timers import SLATimer, SLATimerEvent  # noqa: F401

# The reports engineer's models (surveys, reviews) live in reporting.py, loaded when present.
if find_spec("slm.models.reporting"):
    from .reporting import *  # noqa: F401,F403
