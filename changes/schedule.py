"""The change schedule: the changes, blackout windows and agreement maintenance windows in a range, for the
calendar pages and GET /api/v1/change-schedule/; and the writes of blackout windows."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core import permissions

from . import conflicts
from .models import BlackoutWindow, Change, ChangeService
from .workflow import WORKFLOW

MAX_DAYS = 100
MAX_CHANGES = 1000  # a range shows at most this many changes, earliest first ("truncated" says when cut)


def parse_range(start, end):
    """(start, end) aware datetimes from ISO text (a date means its midnight in the current time zone);
    ValidationError {"start"|"end": [...]} when missing, unreadable, reversed or wider than MAX_DAYS days."""
    values, errors = {}, {}
    for name, raw in (("start", start), ("end", end)):
        value = _parse_instant(raw)
        if not raw:
            errors[name] = [_("This parameter is required.")]
        elif value is None:
            errors[name] = [_("Enter a date (YYYY-MM-DD) or a date and time (ISO 8601).")]
        values[name] = value
    if not errors:
        if values["end"] <= values["start"]:
            errors["end"] = [_("The end must be after the start.")]
        elif values["end"] - values["start"] > dt.timedelta(days=MAX_DAYS):
            errors["end"] = [_("The range may cover at most %(days)d days.") % {"days": MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    return values["start"], values["end"]


def _parse_instant(raw):
    raw = (raw or "").strip()
    if not raw or len(raw) > 40 or "\x00" in raw:
        return None
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            if day is None:
                return None
            value = dt.datetime.combine(day, dt.time())
    except (ValueError, OverflowError):
        return None
    if timezone.is_naive(value):
        try:
            value = timezone.make_aware(value)
        except (ValueError, OverflowError):
            return None
    return value


def changes_in(start, end, user, service=None, team=None):
    """The changes whose window overlaps [start, end) that `user` may see (staff), earliest first, at most
    MAX_CHANGES: (rows, truncated)."""
    qs = permissions.visible_tickets(user, Change.objects.filter(
        kind=Change.TICKET_KIND, planned_start__lt=end, planned_end__gt=start))
    if service is not None:
        qs = qs.filter(pk__in=ChangeService.objects.filter(service=service).values("change_id"))
    if team is not None:
        qs = qs.filter(team=team)
    rows = list(qs.select_related("team").only(
        "id", "number", "title", "state", "change_type", "risk_level", "planned_start", "planned_end", "team__name")
        .order_by("planned_start", "id")[:MAX_CHANGES + 1])
    return rows[:MAX_CHANGES], len(rows) > MAX_CHANGES


def blackouts_in(start, end, service=None):
    """Blackout windows overlapping [start, end); with `service`, those for it and the global ones."""
    qs = BlackoutWindow.objects.filter(start__lt=end, end__gt=start).prefetch_related("services")
    windows = list(qs.order_by("start", "id"))
    if service is not None:
        windows = [w for w in windows if not w.services.all() or any(s.pk == service.pk for s in w.services.all())]
    return windows


def agreement_zone(agreement):
    """The time zone of an agreement's maintenance windows: its first service's (by name) service-hours calendar,
    else the site's."""
    for service in sorted(agreement.services.all(), key=lambda s: (s.name, s.pk)):
        if service.service_hours_id:
            return ZoneInfo(service.service_hours.timezone)
    return ZoneInfo(settings.TIME_ZONE)


def maintenance_in(start, end, service=None):
    """The occurrences in [start, end) of the weekly maintenance windows of agreed agreements valid on the
    occurrence's (local) date: [{"agreement", "agreement_name", "services": [{"id", "name"}], "window",
    "start", "end", "timezone"}], earliest first. A window whose end is not after its start runs past
    midnight."""
    from slm.models import Agreement, MaintenanceWindow, Service

    first_day, last_day = (start - dt.timedelta(days=2)).date(), (end + dt.timedelta(days=2)).date()
    qs = MaintenanceWindow.objects.filter(
        agreement__status=Agreement.Status.AGREED, agreement__valid_from__lte=last_day).filter(
        Q(agreement__valid_to__isnull=True) | Q(agreement__valid_to__gte=first_day))
    if service is not None:
        qs = qs.filter(agreement__services=service)
    qs = qs.select_related("agreement").prefetch_related(Prefetch(
        "agreement__services", queryset=Service.objects.select_related("service_hours").order_by("name", "id")))
    found = []
    for window in qs:
        agreement = window.agreement
        zone = agreement_zone(agreement)
        local_day = start.astimezone(zone).date() - dt.timedelta(days=1)
        last_local = end.astimezone(zone).date()
        while local_day <= last_local:
            if local_day.weekday() == window.weekday and agreement.valid_from <= local_day and (
                    agreement.valid_to is None or local_day <= agreement.valid_to):
                # as UTC instants: wall-clock times in a DST fold compare unequal to every other zone's
                occurs = dt.datetime.combine(local_day, window.start_time, tzinfo=zone).astimezone(dt.timezone.utc)
                end_day = local_day + dt.timedelta(days=1) if window.end_time <= window.start_time else local_day
                until = dt.datetime.combine(end_day, window.end_time, tzinfo=zone).astimezone(dt.timezone.utc)
                if occurs < end and until > start:
                    found.append({
                        "agreement": agreement.pk, "agreement_name": str(agreement), "window": window.pk,
                        "services": [{"id": s.pk, "name": s.name} for s in agreement.services.all()],
                        "start": occurs, "end": until, "timezone": str(zone)})
            local_day += dt.timedelta(days=1)
    return sorted(found, key=lambda o: (o["start"], o["agreement"], o["window"]))


def entries(start, end, user, service=None, team=None):
    """Everything the schedule shows in [start, end) for `user`: {"changes": [{"id", "number", "title", "type",
    "type_label", "state", "state_label", "risk", "risk_label", "planned_start", "planned_end", "team", "conflict", "conflicts"}], "blackout_windows":
    [BlackoutWindow], "maintenance_windows": [occurrence dicts], "truncated": bool}. Conflicts come from
    conflicts.for_range over the range (closed changes have none). A bounded number of queries."""
    rows, truncated = changes_in(start, end, user, service, team)
    by_change = conflicts.for_range(start, end) if rows else {}
    changes = []
    for change in rows:
        found = by_change.get(change.pk, [])
        changes.append({"id": change.pk, "number": change.number, "title": change.title,
                        "type": change.change_type, "type_label": change.get_change_type_display(),
                        "state": change.state, "state_label": str(WORKFLOW.label(change.state)),
                        "risk": change.risk_level,
                        "risk_label": change.get_risk_level_display() if change.risk_level else None,
                        "planned_start": change.planned_start, "planned_end": change.planned_end,
                        "team": change.team.name if change.team_id else None,
                        "conflict": bool(found), "conflicts": found})
    return {"changes": changes, "blackout_windows": blackouts_in(start, end, service),
            "maintenance_windows": maintenance_in(start, end, service), "truncated": truncated}


# --- blackout windows: the only writes ------------------------------------------------------

@transaction.atomic
def save_blackout(actor, data, window=None):
    """Create or update a blackout window from {"name", "start", "end", "services", "reason"} (partial on
    update); ValidationError {"end": [...]} unless the end is after the start."""
    window = window or BlackoutWindow()
    services = data.get("services")
    for field in ("name", "start", "end", "reason"):
        if field in data:
            setattr(window, field, data[field])
    if window.start and window.end and window.end <= window.start:
        raise ValidationError({"end": [_("The end must be after the start.")]})
    window.save()
    if services is not None:
        window.services.set(services)
    return window


def delete_blackout(actor, window):
    window.delete()
