"""Service level reports, aggregated in SQL.

Counting rules (ISO/IEC 20000-1 8.3.3 service reporting):
- A timer is *measured* in the period in which its outcome became known: the instant it breached
  (`breached_at`) or, if it never breached, the instant it stopped with the target met (`stopped_at`).
  Running, unbreached timers and timers stopped without an outcome (cancelled tickets) are not measured.
- compliance % = met / measured * 100.
- MTTA = mean(first_response_at - created_at) over tickets whose first response falls in the period;
  MTTR = mean(resolved_at - created_at) over tickets resolved in the period. Grouped by agreement or target,
  a ticket belongs to the agreement / target of its response timer (MTTA) or resolution timer (MTTR).
- Periods are [start, end) in the current time zone: a month (2026-10), a quarter (2026Q3) or a custom range
  of dates (both ends included).
- Scope filters (each optional): service, organization, team, ticket kind, and an incident category (a top-level
  category or a subcategory: only incidents of it count, through the ticket). SLA compliance (the counts, the
  trend, the breach list) can be restricted to response or resolution timers (`timer_metric`); MTTA and MTTR
  are not (they are the tickets' own instants). Incident volume counts incidents created in the period.

Compliance, breaches and the MTTA / MTTR by agreement or target read only slm_slatimer: each timer carries
copies of its ticket's grouping fields and instants (see slm.models.timers) and `counted_at`, under covering
indexes. MTTA / MTTR by a ticket field read core_ticket through its first_response_at and resolved_at indexes
(every ticket counts there, with a timer or not). Totals are summed from the group rows, not queried again.
A category or a timer metric filter leaves the covering indexes (a semi-join on the incidents, the timer's
metric column): only the reports asking for them pay for it.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, IntegerField, Q, Sum, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import hooks
from core.models import Organization, Priority, Team, Ticket

from .models import Agreement, SatisfactionSurvey, Service, ServiceLevelTarget, SLATimer

TREND_PERIODS = 6
BREACH_LIST_LIMIT = 200
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    kind: str  # "month", "quarter" or "range"
    start: datetime.datetime  # aware, included
    end: datetime.datetime  # aware, excluded

    @property
    def label(self):
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        last = self.end - datetime.timedelta(days=1)
        return f"{self.start:%Y-%m-%d}..{last:%Y-%m-%d}"

    @property
    def seconds(self):
        """Length of the period up to now (a period still running counts only its elapsed part)."""
        end = min(self.end, timezone.now())
        return max(0.0, (end - self.start).total_seconds())

    def as_dict(self):
        return {"label": self.label, "kind": self.kind, "start": self.start.isoformat(),
                "end": self.end.isoformat()}


def _local_midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), timezone.get_current_timezone())


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_period(year, month):
    first = datetime.date(year, month, 1)
    return Period("month", _local_midnight(first), _local_midnight(_add_months(first, 1)))


def quarter_period(year, quarter):
    first = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    return Period("quarter", _local_midnight(first), _local_midnight(_add_months(first, 3)))


# Reports cover these years: a period's end (the next month, a day later, in any time zone) stays a valid date.
MIN_YEAR, MAX_YEAR = 1900, 2999


def _year_error(field):
    return ValidationError({field: [_("Reports cover the years %(min)d to %(max)d.") % {
        "min": MIN_YEAR, "max": MAX_YEAR}]})


def _parse_date(value, field):
    try:
        day = datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({field: [_("Enter a date as YYYY-MM-DD.")]})
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise _year_error(field)
    return day


def parse_period(period=None, start=None, end=None):
    """`period` (2026-10 or 2026Q3) or `start`/`end` dates; nothing: the current month. Bad input: ValidationError."""
    period = (period or "").strip()
    if period:
        if start or end:
            raise ValidationError({"period": [_("Give either a period or a start and end date, not both.")]})
        match = MONTH_RE.match(period) or QUARTER_RE.match(period)
        if match and not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
            raise _year_error("period")
        match = MONTH_RE.match(period)
        if match and 1 <= int(match[2]) <= 12:
            return month_period(int(match[1]), int(match[2]))
        match = QUARTER_RE.match(period)
        if match:
            return quarter_period(int(match[1]), int(match[2]))
        raise ValidationError({"period": [_("Enter a month (2026-10) or a quarter (2026Q3).")]})
    if start or end:
        if not (start and end):
            field = "end" if start else "start"
            raise ValidationError({field: [_("Give both a start and an end date.")]})
        first, last = _parse_date(start, "start"), _parse_date(end, "end")
        if last < first:
            raise ValidationError({"end": [_("The end date must not be before the start date.")]})
        if (last - first).days > 3660:
            raise ValidationError({"end": [_("A report covers at most ten years.")]})
        return Period("range", _local_midnight(first), _local_midnight(last + datetime.timedelta(days=1)))
    today = timezone.localdate()
    return month_period(today.year, today.month)


def trend_periods(period, count=TREND_PERIODS):
    """The `count` months (or quarters, for a quarter) ending with the period's last month."""
    step = 3 if period.kind == "quarter" else 1
    last_day = (period.end - datetime.timedelta(seconds=1)).astimezone(timezone.get_current_timezone()).date()
    first = _add_months(last_day.replace(day=1), 0)
    if step == 3:
        first = first.replace(month=3 * ((first.month - 1) // 3) + 1)
    starts = [_add_months(first, -step * i) for i in reversed(range(count))]
    make = quarter_period if step == 3 else month_period
    return [make(d.year, (d.month - 1) // 3 + 1) if step == 3 else make(d.year, d.month) for d in starts]


# --- groupings ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Grouping:
    timer_key: str  # the grouping value seen from SLATimer (its copy of the ticket's field)
    ticket_key: str | None  # seen from Ticket / SatisfactionSurvey.ticket (None: only through timers)
    model: type | None  # the model whose names label the rows (None: choices)


GROUPINGS = {
    "service": Grouping("ticket_service_id", "service_id", Service),
    "agreement": Grouping("target__agreement_id", None, Agreement),
    "target": Grouping("target_id", None, ServiceLevelTarget),
    "priority": Grouping("ticket_priority", "priority", None),
    "team": Grouping("ticket_team_id", "team_id", Team),
    "organization": Grouping("ticket_organization_id", "organization_id", Organization),
}
GROUP_BY_CHOICES = list(GROUPINGS)


def grouping(name):
    if name not in GROUPINGS:
        raise ValidationError({"group_by": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(GROUPINGS)}]})
    return GROUPINGS[name]


def labels_for(group_by, keys):
    """{key: display name} for the group keys, in one query."""
    keys = {k for k in keys if k is not None}
    if group_by == "priority":
        choices = dict(Priority.choices)
        return {k: str(choices.get(k, k)) for k in keys}
    return {obj.pk: str(obj) for obj in GROUPINGS[group_by].model.objects.filter(pk__in=keys)}


def parse_key(group_by, value):
    """A grouping value from a query string: an integer id (or priority), or "none" for tickets without one."""
    value = (str(value) if value is not None else "").strip().lower()
    if value in ("", "none"):
        return value or None
    if not (value.isascii() and value.isdigit()):
        raise ValidationError({"value": [_("Enter a number or “none”.")]})
    return int(value)


# --- filters --------------------------------------------------------------------------------------

TIMER_SCOPE = "ticket_"  # _scope prefix of the timer's copies: ticket_service_id, ticket_organization_id, ...


def _duration(end, start):
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _seconds(value):
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return round(value.total_seconds())
    return round(float(value) / 1_000_000)  # SQLite averages durations as microseconds


def _float_seconds(value):
    """A summed duration as seconds: a timedelta, or microseconds (SQLite)."""
    if value is None:
        return 0.0
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000


def _mean(total_seconds, count):
    return datetime.timedelta(seconds=total_seconds / count) if count else None


def _pct(part, whole):
    return round(100.0 * part / whole, 2) if whole else None


def cancelled_tickets():
    """Q of the tickets left out of MTTA and MTTR: those in a cancelled state of their kind's workflow, and every
    ticket of a kind no service level applies to (improvements)."""
    q = Q(pk__in=[])
    for kind, registry in hooks.ticket_kinds.items():
        states = getattr(registry.workflow, "cancelled_states", ())
        if not registry.sla_timed:
            q |= Q(kind=kind)
        elif states:
            q |= Q(kind=kind, state__in=sorted(states))
    return q


def category_tickets(category):
    """The ids of the incidents of a category: its own incidents for a top-level category, or those of a
    subcategory."""
    from incidents.models import Incident

    return Incident.objects.filter(Q(category_id=category) | Q(subcategory_id=category)).values("pk")


def _scope(prefix="", service=None, organization=None, kind=None, team=None, category=None):
    """Q on the ticket: service, organization, ticket kind, team, incident category (each optional). `prefix`
    reaches the ticket's fields: "" on Ticket, "ticket_" on the timer's copies, "ticket__" through a relation."""
    q = Q()
    if service is not None:
        q &= Q(**{f"{prefix}service_id": service})
    if organization is not None:
        q &= Q(**{f"{prefix}organization_id": organization})
    if kind:
        q &= Q(**{f"{prefix}kind": kind})
    if team is not None:
        q &= Q(**{f"{prefix}team_id": team})
    if category is not None:
        q &= Q(**{"ticket_id__in" if prefix else "pk__in": category_tickets(category)})
    return q


TIMER_METRICS = ("response", "resolution")


def timer_metric_q(timer_metric):
    """Q restricting timers to response or resolution ones (None or "": both)."""
    if not timer_metric:
        return Q()
    if timer_metric not in TIMER_METRICS:
        raise ValidationError({"timer_metric": [_("Choose one of: %(choices)s.") % {
            "choices": ", ".join(TIMER_METRICS)}]})
    return Q(metric=timer_metric)


def _key_q(lookup, key):
    if key == "none":
        return Q(**{f"{lookup}__isnull": True})
    return Q(**{lookup: key})


def measured_timers(period, scope=Q(), key_lookup=None, key=None):
    """Timers whose outcome became known in the period (counted_at is null while not measured)."""
    qs = SLATimer.objects.filter(scope, counted_at__gte=period.start, counted_at__lt=period.end)
    if key_lookup and key is not None:
        qs = qs.filter(_key_q(key_lookup, key))
    return qs


# --- compliance -----------------------------------------------------------------------------------

def _outcome_counts():
    # Counting counted_at (never null here) rather than id keeps the scans index-only.
    return {"measured": Count("counted_at"),
            "met": Count("counted_at", filter=Q(met=True, breached_at__isnull=True)),
            "breached": Count("counted_at", filter=Q(breached_at__isnull=False))}


def _sum_counts(rows):
    return {name: sum(r.get(name, 0) for r in rows) for name in ("measured", "met", "breached")}


def _row(counts, mtta=None, mttr=None):
    measured, met = counts.get("measured", 0), counts.get("met", 0)
    return {"measured": measured, "met": met, "breached": counts.get("breached", 0),
            "compliance": _pct(met, measured), "mtta_seconds": _seconds(mtta), "mttr_seconds": _seconds(mttr)}


def _times_queryset(period, group_by, scope_kwargs, key=None):
    """(queryset, group lookup, aggregates) for MTTA/MTTR (see the module's rules): per group, the summed
    durations and their counts, so that totals over groups are exact means."""
    group = GROUPINGS[group_by]
    if group.ticket_key is None:
        qs = SLATimer.objects.filter(_scope(TIMER_SCOPE, **scope_kwargs), ticket_reached_at__gte=period.start,
                                     ticket_reached_at__lt=period.end)
        lookup, mtta_q, mttr_q = group.timer_key, Q(metric="response"), Q(metric="resolution")
        mtta_duration = mttr_duration = _duration("ticket_reached_at", "ticket_created_at")
        count_field = "ticket_reached_at"
    else:
        responded = Q(first_response_at__gte=period.start, first_response_at__lt=period.end)
        resolved = Q(resolved_at__gte=period.start, resolved_at__lt=period.end)
        qs = Ticket.objects.filter(_scope(**scope_kwargs)).filter(responded | resolved).exclude(cancelled_tickets())
        lookup, mtta_q, mttr_q = group.ticket_key, responded, resolved
        mtta_duration = _duration("first_response_at", "created_at")
        mttr_duration = _duration("resolved_at", "created_at")
        count_field = "id"
    if key is not None:
        qs = qs.filter(_key_q(lookup, key))
    aggregates = {
        "mtta_sum": Sum(mtta_duration, filter=mtta_q), "mtta_n": Count(count_field, filter=mtta_q),
        "mttr_sum": Sum(mttr_duration, filter=mttr_q), "mttr_n": Count(count_field, filter=mttr_q),
    }
    return qs, lookup, aggregates


def _time_sums(period, group_by, scope_kwargs, key=None):
    """{group key: (mtta seconds summed, count, mttr seconds summed, count)} in one query."""
    qs, lookup, aggregates = _times_queryset(period, group_by, scope_kwargs, key)
    return {r[lookup]: (_float_seconds(r["mtta_sum"]), r["mtta_n"], _float_seconds(r["mttr_sum"]), r["mttr_n"])
            for r in qs.values(lookup).annotate(**aggregates).order_by()}


def _means(sums):
    """(mtta, mttr) as timedeltas (None when nothing counted) from summed (seconds, count) pairs."""
    mtta_s, mtta_n, mttr_s, mttr_n = (sum(values) for values in zip(*sums)) if sums else (0, 0, 0, 0)
    return _mean(mtta_s, mtta_n), _mean(mttr_s, mttr_n)


def response_times(period, group_by, scope_kwargs, key=None):
    """{group key: (mtta, mttr)} in one query."""
    return {k: _means([v]) for k, v in _time_sums(period, group_by, scope_kwargs, key).items()}


def overall_times(period, group_by, scope_kwargs, key=None):
    """(mtta, mttr) over everything the report covers, in one query."""
    return _means(list(_time_sums(period, group_by, scope_kwargs, key).values()))


def trend(period, scope=Q(), key_lookup=None, key=None):
    """Compliance per month (per quarter for a quarter) over the last TREND_PERIODS periods, in one query:
    a UNION ALL of one plain count per period, each a range scan of the counted_at index (no per-row
    bucketing)."""
    periods = trend_periods(period)
    parts = [measured_timers(p, scope, key_lookup, key).annotate(bucket=Value(i, output_field=IntegerField()))
             .values("bucket").annotate(**_outcome_counts()).order_by() for i, p in enumerate(periods)]
    by_index = {r["bucket"]: r for r in parts[0].union(*parts[1:], all=True)}
    return [{"period": p.label, **{k: v for k, v in _row(by_index.get(i, {})).items() if "seconds" not in k}}
            for i, p in enumerate(periods)]


def compliance(period, group_by="service", service=None, organization=None, kind=None, key=None, team=None,
               category=None, timer_metric=None):
    """The compliance report: one row per group, the total, the trend. `timer_metric` ("response" or
    "resolution") restricts the counts and the trend to those timers, not MTTA / MTTR."""
    group = grouping(group_by)
    scope_kwargs = {"service": service, "organization": organization, "kind": kind, "team": team,
                    "category": category}
    scope = _scope(TIMER_SCOPE, **scope_kwargs) & timer_metric_q(timer_metric)
    counts = {r[group.timer_key]: r for r in measured_timers(period, scope, group.timer_key, key)
              .values(group.timer_key).annotate(**_outcome_counts()).order_by()}
    sums = _time_sums(period, group_by, scope_kwargs, key)
    times = {k: _means([v]) for k, v in sums.items()}
    keys = set(counts) | set(times)
    labels = labels_for(group_by, keys)
    rows = []
    for k in keys:
        mtta, mttr = times.get(k, (None, None))
        rows.append({"key": k, "label": labels.get(k, _("(none)")) if k is not None else _("(none)"),
                     **_row(counts.get(k, {}), mtta, mttr)})
    rows.sort(key=lambda r: (r["compliance"] is None, r["compliance"] or 0, str(r["label"])))
    total = _row(_sum_counts(counts.values()), *_means(list(sums.values())))
    return {"period": period.as_dict(), "group_by": group_by, "rows": rows, "total": total,
            "trend": trend(period, scope, group.timer_key, key)}


# --- breaches -------------------------------------------------------------------------------------

def ticket_url(kind, pk):
    """The ticket page of any kind (an incident: /incidents/<pk>/)."""
    registry = hooks.ticket_kinds.get(kind)
    if registry and registry.url_name:
        try:
            return reverse(registry.url_name, args=[pk])
        except NoReverseMatch:
            pass
    return f"/{kind}s/{pk}/"


def breaches(period, group_by="service", service=None, organization=None, kind=None, key=None,
             limit=BREACH_LIST_LIMIT, team=None, category=None, timer_metric=None):
    """Timers breached in the period (newest first), with their ticket, in one query."""
    group = grouping(group_by)
    scope = _scope(TIMER_SCOPE, service, organization, kind, team, category) & timer_metric_q(timer_metric)
    # A breached timer counts when it breached: the counted_at range lets the covering index find them.
    qs = (SLATimer.objects.filter(scope,
                                  counted_at__gte=period.start, counted_at__lt=period.end,
                                  breached_at__gte=period.start, breached_at__lt=period.end)
          .select_related("ticket", "ticket__service", "ticket__team", "ticket__organization",
                          "target", "target__agreement")
          .order_by("-breached_at", "-id"))
    if key is not None:
        qs = qs.filter(_key_q(group.timer_key, key))
    return list(qs[:limit]) if limit else qs


def breach_dict(timer):
    ticket = timer.ticket
    return {
        "timer": timer.pk, "metric": timer.metric, "breached_at": timer.breached_at.isoformat(),
        "due_at": timer.due_at.isoformat() if timer.due_at else None,
        "target": timer.target.name, "agreement": str(timer.target.agreement),
        "ticket": {"id": ticket.pk, "number": ticket.number, "kind": ticket.kind, "title": ticket.title,
                   "priority": ticket.priority, "state": ticket.state,
                   "service": str(ticket.service) if ticket.service_id else None,
                   "team": str(ticket.team) if ticket.team_id else None,
                   "organization": str(ticket.organization) if ticket.organization_id else None,
                   "url": ticket_url(ticket.kind, ticket.pk)},
    }


# --- availability ---------------------------------------------------------------------------------

def merge_intervals(intervals, start, end):
    """Total seconds covered by the intervals (end None: still open, until `end`), merged and clipped."""
    total, current_start, current_end = 0.0, None, None
    for s, e in sorted((max(s, start), min(e or end, end)) for s, e in intervals):
        if e <= s:
            continue
        if current_end is None or s > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = s, e
        else:
            current_end = max(current_end, e)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return total


def availability_targets(period, services=None, organization=None):
    """{service id: the strictest availability target of an agreed SLA valid in the period}."""
    qs = Agreement.objects.filter(
        kind=Agreement.Kind.SLA, status=Agreement.Status.AGREED, availability_target__isnull=False,
        valid_from__lt=timezone.localtime(period.end).date()).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localtime(period.start).date()))
    if organization is not None:
        qs = qs.filter(Q(organization_id=organization) | Q(organization__isnull=True))
    if services is not None:
        qs = qs.filter(services__in=services)
    targets = {}
    for service_id, target in qs.values_list("services", "availability_target").order_by():
        if service_id is not None:
            targets[service_id] = max(target, targets.get(service_id, target))
    return targets


def availability(period, services=None, organization=None):
    """Per service: downtime from major incidents' outage periods (overlaps merged, clipped to the period),
    availability % = (1 - downtime / period length) * 100, against the service's target.

    Outages are few (major incidents only), so they are merged in Python after one query.
    """
    from incidents.models import Incident

    end = min(period.end, max(timezone.now(), period.start))
    length = (end - period.start).total_seconds()
    outages = Incident.objects.filter(is_major=True, outage_start__isnull=False, outage_start__lt=end,
                                      service__isnull=False).filter(
        Q(outage_end__isnull=True) | Q(outage_end__gt=period.start))
    service_qs = Service.objects.exclude(status=Service.Status.RETIRED)
    if services is not None:
        outages, service_qs = outages.filter(service_id__in=services), Service.objects.filter(pk__in=services)
    by_service = {}
    for service_id, start, stop in outages.values_list("service_id", "outage_start", "outage_end").order_by():
        by_service.setdefault(service_id, []).append((start, stop))
    targets = availability_targets(period, services, organization)
    rows = []
    for service in service_qs.filter(Q(pk__in=set(by_service) | set(targets)) | Q(status=Service.Status.LIVE)):
        downtime = merge_intervals(by_service.get(service.pk, []), period.start, end)
        achieved = round(100.0 * (1 - downtime / length), 3) if length else None
        target = targets.get(service.pk)
        rows.append({"service": service.pk, "label": service.name, "downtime_seconds": round(downtime),
                     "outages": len(by_service.get(service.pk, [])), "availability": achieved,
                     "target": float(target) if target is not None else None,
                     "met": None if target is None or achieved is None else achieved >= float(target)})
    return {"period": period.as_dict(), "period_seconds": round(length), "rows": rows}


# --- satisfaction ---------------------------------------------------------------------------------

def _answered(period, scope_kwargs):
    return SatisfactionSurvey.objects.filter(_scope("ticket__", **scope_kwargs), answered_at__gte=period.start,
                                             answered_at__lt=period.end, rating__isnull=False)


def _distribution():
    return {f"r{i}": Count("id", filter=Q(rating=i)) for i in range(1, 6)}


def satisfaction(period, group_by="service", service=None, organization=None, kind=None, team=None,
                 category=None):
    """Average rating, count and distribution (1..5) of the surveys answered in the period, per group."""
    group = grouping(group_by)
    if group.ticket_key is None:
        raise ValidationError({"group_by": [_("Satisfaction is reported by service, team, organization or "
                                              "priority.")]})
    lookup = f"ticket__{group.ticket_key}"
    scope_kwargs = {"service": service, "organization": organization, "kind": kind, "team": team,
                    "category": category}
    rows = list(_answered(period, scope_kwargs).values(lookup)
                .annotate(count=Count("id"), average=Avg("rating"), **_distribution()).order_by())
    labels = labels_for(group_by, [r[lookup] for r in rows])
    result = []
    for r in rows:
        result.append({"key": r[lookup], "label": labels.get(r[lookup], _("(none)")), "count": r["count"],
                       "average": round(float(r["average"]), 2),
                       "distribution": {str(i): r[f"r{i}"] for i in range(1, 6)}})
    result.sort(key=lambda r: str(r["label"]))
    return result


def satisfaction_total(period, service=None, organization=None, kind=None, team=None, category=None):
    """Average rating (None when no survey was answered), count and distribution of all the surveys answered in
    the period within the scope, in one query."""
    scope_kwargs = {"service": service, "organization": organization, "kind": kind, "team": team,
                    "category": category}
    result = _answered(period, scope_kwargs).aggregate(count=Count("id"), average=Avg("rating"), **_distribution())
    return {"count": result["count"],
            "average": round(float(result["average"]), 2) if result["average"] is not None else None,
            "distribution": {str(i): result[f"r{i}"] for i in range(1, 6)}}


# --- incident volume ------------------------------------------------------------------------------

def incident_volume(period, service=None, organization=None, team=None, category=None):
    """How many incidents were raised (created) in the period within the scope, in one query."""
    from incidents.models import Incident

    qs = Incident.objects.filter(_scope(service=service, organization=organization, team=team),
                                 created_at__gte=period.start, created_at__lt=period.end)
    if category is not None:
        qs = qs.filter(Q(category_id=category) | Q(subcategory_id=category))
    return qs.count()
