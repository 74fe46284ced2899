"""Change enablement reports over a period: aggregations in SQL, each bounded in rows.

- success rate by type, change model and template: changes with an outcome whose implementation ended in the
  period (actual_end, else closed_at); successful = "successful" + "successful with issues", over all with an
  outcome. Cancelled and rejected changes never count;
- changes that caused incidents: per change, the incidents raised in the period recorded as caused by it
  (core TicketLink caused_by); cancelled incidents do not count;
- emergency changes as a share of the changes raised in the period (created_at); cancelled changes do not count
  (withdrawn before anything was done), rejected ones do (they were raised);
- mean lead time from raising a change (created_at) to starting its implementation (actual_start), for the
  changes whose implementation started in the period, overall and by type; cancelled changes do not count.
"""

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce

from core.models import LinkKind, TicketLink
from core.periods import Period  # noqa: F401  (the reports take one)

from . import workflow
from .models import Change, ChangeType, Outcome

ROW_LIMIT = 100
SUCCESS = (Outcome.SUCCESSFUL, Outcome.WITH_ISSUES)
NEVER_COUNTED = (workflow.CANCELLED, workflow.REJECTED)


def _changes():
    return Change.objects.filter(kind=Change.TICKET_KIND)


def _rate(row):
    row["rate"] = round(100 * row["successful"] / row["total"], 1) if row["total"] else None
    return row


def implemented(period):
    """Changes with an outcome whose implementation ended in the period (cancelled and rejected left out)."""
    return (_changes().exclude(outcome="").exclude(state__in=NEVER_COUNTED)
            .annotate(done_at=Coalesce("actual_end", "closed_at"))
            .filter(done_at__gte=period.start, done_at__lt=period.end))


def _grouped(queryset, *keys):
    return [_rate(row) for row in queryset.values(*keys).annotate(
        total=Count("pk"), successful=Count("pk", filter=Q(outcome__in=SUCCESS))).order_by(*keys)]


def success_by_type(period):
    """[{change_type, label, total, successful, rate}] in the order of ChangeType (types with changes only)."""
    rows = {row["change_type"]: row for row in _grouped(implemented(period), "change_type")}
    return [{**rows[value], "label": label} for value, label in ChangeType.choices if value in rows]


def success_by_model(period, limit=ROW_LIMIT):
    rows = _grouped(implemented(period), "model_id", "model__name", "model__version")
    for row in rows:
        row["label"] = f"{row['model__name']} v{row['model__version']}" if row["model_id"] else ""
    return sorted(rows, key=lambda r: (-r["total"], r["label"]))[:limit]


def success_by_template(period, limit=ROW_LIMIT):
    rows = _grouped(implemented(period).filter(template__isnull=False), "template_id", "template__name")
    return sorted(rows, key=lambda r: (-r["total"], r["template__name"]))[:limit]


def success_overall(period):
    return _rate(implemented(period).aggregate(total=Count("pk"),
                                               successful=Count("pk", filter=Q(outcome__in=SUCCESS))))


def caused_incidents(period, limit=ROW_LIMIT):
    """[{change_id, number, title, incidents}] for changes that caused incidents raised in the period, most first."""
    from incidents import workflow as incident_workflow

    return list(TicketLink.objects.filter(
        kind=LinkKind.CAUSED_BY, source__kind="incident", target__kind=Change.TICKET_KIND,
        source__created_at__gte=period.start, source__created_at__lt=period.end)
        .exclude(source__state=incident_workflow.CANCELLED)
        .values(change_id=F("target_id"), number=F("target__number"), title=F("target__title"))
        .annotate(incidents=Count("source_id", distinct=True)).order_by("-incidents", "-change_id")[:limit])


def emergency_share(period):
    """{"total", "emergency", "share" (percent or None), "by_type": {type: n}} of changes raised in the period."""
    raised = _changes().filter(created_at__gte=period.start, created_at__lt=period.end) \
        .exclude(state=workflow.CANCELLED)
    by_type = dict(raised.values_list("change_type").annotate(n=Count("pk")).order_by())
    total = sum(by_type.values())
    emergency = by_type.get(ChangeType.EMERGENCY, 0)
    return {"total": total, "emergency": emergency, "share": round(100 * emergency / total, 1) if total else None,
            "by_type": [{"change_type": value, "label": label, "count": by_type.get(value, 0)}
                        for value, label in ChangeType.choices]}


def _hours(duration):
    return round(duration.total_seconds() / 3600, 1) if duration is not None else None


def lead_time(period):
    """{"overall": hours or None, "count": n, "by_type": [{change_type, label, hours, count}]}: mean time from
    raising to starting the implementation, for changes whose implementation started in the period."""
    lead = ExpressionWrapper(F("actual_start") - F("created_at"), output_field=DurationField())
    started = _changes().filter(actual_start__gte=period.start, actual_start__lt=period.end) \
        .exclude(state=workflow.CANCELLED).annotate(lead=lead)
    overall = started.aggregate(mean=Avg("lead"), count=Count("pk"))
    rows = {row["change_type"]: row for row in started.values("change_type")
            .annotate(mean=Avg("lead"), count=Count("pk")).order_by()}
    return {"overall": _hours(overall["mean"]), "count": overall["count"],
            "by_type": [{"change_type": value, "label": label, "hours": _hours(rows[value]["mean"]),
                         "count": rows[value]["count"]} for value, label in ChangeType.choices if value in rows]}
