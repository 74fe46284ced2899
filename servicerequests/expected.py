"""When a request for a catalogue item is usually done: its SLA resolution target on its business calendar.

The target is the one slm's matching would give the request when it is raised (kind "request", the item's
service, the requester's organization, the default priority of a request: low impact, low urgency, no
category); the due instant is that many business seconds after `start` on the target's calendar (around
the clock without one), exactly as the request's resolution timer will compute it.
"""

import math
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, tzinfo

from django.db.models import Q
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _, ngettext, pgettext

from core.models import Impact, Urgency
from core.services import priority_for
from slm import calendar as business, matching
from slm.models import Agreement, ServiceLevelTarget

HOUR = 3600
DAY = 24 * HOUR
REQUEST_KIND = "request"


@dataclass(frozen=True)
class Expected:
    target_seconds: int  # the resolution target (business seconds on the calendar, or wall seconds when 24x7)
    due_at: datetime  # from `start`
    business_hours: bool  # measured on a business calendar (“working days”) rather than around the clock
    working_day_seconds: int = DAY  # how long a usual working day of the calendar is (24 h around the clock)


def default_priority():
    """The priority a new request gets (impact and urgency low, through the priority matrix)."""
    return priority_for(Impact.LOW, Urgency.LOW)


def resolution_target(item, organization=None, at=None):
    """The service level target that would measure the resolution of a request for `item`, or None."""
    at = at or timezone.now()
    conditions = {"kind": REQUEST_KIND, "priority": default_priority(), "service_id": item.service_id,
                  "organization_id": getattr(organization, "pk", organization), "category_id": None}
    day = timezone.localdate(at, timezone.get_default_timezone())
    return matching.match(conditions, day).get(ServiceLevelTarget.Metric.RESOLUTION)


def working_day_seconds(calendar):
    """The length of the calendar's usual working day: the most common daily total of its weekly hours
    (the longest on a tie); 8 hours for a calendar with no weekly hours."""
    spec = business.load(calendar)
    totals = [sum(end - start for start, end in intervals) for intervals in spec.weekly.values()]
    totals = [total for total in totals if total > 0]
    if not totals:
        return 8 * HOUR
    counts = Counter(totals)
    return max(counts, key=lambda total: (counts[total], total))


def expected_fulfilment(item, organization=None, start=None):
    """Expected for a request for `item` by someone of `organization` (an Organization or its id) submitted at
    `start` (default now), or None when no service level target measures such requests."""
    start = start or timezone.now()
    return _expected(resolution_target(item, organization, start), start)


def _resolution_targets(service_ids, organization_id, day):
    """Every active request resolution target that may apply to requests for these services (the
    conditions slm.matching.candidate_targets checks, for several services at once), calendars loaded."""
    def condition(field, value):
        return Q(**{f"{field}__isnull": True}) | (Q(**{field: value}) if value is not None else Q(pk__in=[]))

    return list(ServiceLevelTarget.objects
                .filter(active=True, ticket_kind=REQUEST_KIND, metric=ServiceLevelTarget.Metric.RESOLUTION,
                        agreement__status=Agreement.Status.AGREED, agreement__valid_from__lte=day)
                .filter(Q(agreement__valid_to__isnull=True) | Q(agreement__valid_to__gte=day))
                .filter(condition("priority", default_priority()), condition("organization_id", organization_id),
                        Q(category_id__isnull=True))
                .filter(Q(service__isnull=True) | Q(service_id__in=set(service_ids)))
                .select_related("calendar").prefetch_related("calendar__hours", "calendar__exceptions"))


def expected_for_items(items, organization=None, start=None):
    """{item id: Expected or None} for many items in a constant number of queries (the catalogue's lists);
    the same answer expected_fulfilment gives for each."""
    start = start or timezone.now()
    items = list(items)
    day = timezone.localdate(start, timezone.get_default_timezone())
    targets = _resolution_targets({item.service_id for item in items}, getattr(organization, "pk", organization), day)
    result = {}
    for item in items:
        best = matching.best_targets(t for t in targets if t.service_id in (None, item.service_id))
        result[item.pk] = _expected(best.get(ServiceLevelTarget.Metric.RESOLUTION), start)
    return result


def _expected(target, start):
    if target is None:
        return None
    calendar = target.calendar
    due_at = business.due(calendar, start, target.target_seconds)
    if calendar is None:
        return Expected(target.target_seconds, due_at, False)
    return Expected(target.target_seconds, due_at, True, working_day_seconds(calendar))


def _count(seconds, unit):
    return max(1, math.ceil(seconds / unit))


def describe_duration(expected):
    """"2 working days", "4 working hours", "3 days", "45 minutes"… (rounded up)."""
    seconds, day = expected.target_seconds, expected.working_day_seconds or DAY
    if expected.business_hours:
        if seconds >= day:
            n = _count(seconds, day)
            return ngettext("%(count)d working day", "%(count)d working days", n) % {"count": n}
        if seconds >= HOUR:
            n = _count(seconds, HOUR)
            return ngettext("%(count)d working hour", "%(count)d working hours", n) % {"count": n}
        n = _count(seconds, 60)
        return ngettext("%(count)d working minute", "%(count)d working minutes", n) % {"count": n}
    if seconds >= DAY:
        n = _count(seconds, DAY)
        return ngettext("%(count)d day", "%(count)d days", n) % {"count": n}
    if seconds >= HOUR:
        n = _count(seconds, HOUR)
        return ngettext("%(count)d hour", "%(count)d hours", n) % {"count": n}
    n = _count(seconds, 60)
    return ngettext("%(count)d minute", "%(count)d minutes", n) % {"count": n}


def _zone(tz):
    if tz is None:
        return timezone.get_current_timezone()
    if isinstance(tz, tzinfo):
        return tz
    try:
        return zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def describe_due(due_at, tz=None):
    """The due instant in the reader's time zone and language, e.g. "Thu 3 Dec 17:00"."""
    local = timezone.localtime(due_at, _zone(tz))
    # Translators: a date format (Django's date filter syntax) for "expected by …", e.g. Thu 3 Dec 17:00.
    return dateformat.format(local, pgettext("expected fulfilment date", "D j M H:i"))


def describe_expected(expected, tz=None):
    """"Usually done within 2 working days; expected by Thu 3 Dec 17:00" in the active language, the due
    instant in `tz` (a tzinfo or a zone name; default the current time zone). "" for None."""
    if expected is None:
        return ""
    return _("Usually done within %(duration)s; expected by %(due)s") % {
        "duration": describe_duration(expected), "due": describe_due(expected.due_at, tz)}
