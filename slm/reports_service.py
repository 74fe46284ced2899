"""The monthly service report for one service and (optionally) one customer, as data and as CSV."""

import io

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import csv_export
from core.models import Priority

from . import reports
from .models import Agreement, SatisfactionSurvey, ServiceLevelTarget


def agreed_targets(service, organization, period):
    """The targets of agreed agreements covering the service (and customer) during the period."""
    start, end = timezone.localtime(period.start).date(), timezone.localtime(period.end).date()
    qs = ServiceLevelTarget.objects.filter(
        active=True, agreement__status=Agreement.Status.AGREED, agreement__services=service,
        agreement__valid_from__lt=end).filter(
        Q(agreement__valid_to__isnull=True) | Q(agreement__valid_to__gte=start)).filter(
        Q(service__isnull=True) | Q(service=service))
    if organization is not None:
        qs = qs.filter(Q(agreement__organization__isnull=True) | Q(agreement__organization=organization))
    return list(qs.select_related("agreement").order_by("agreement__name", "metric", "priority", "id").distinct())


def incidents_by_priority(service, organization, period):
    from incidents.models import Incident

    qs = Incident.objects.filter(service=service, created_at__gte=period.start, created_at__lt=period.end)
    if organization is not None:
        qs = qs.filter(organization=organization)
    counts = dict(qs.values_list("priority").annotate(count=Count("pk")).order_by())
    return [{"priority": value, "label": str(label), "count": counts.get(value, 0)}
            for value, label in Priority.choices]


def satisfaction_summary(service, organization, period):
    qs = SatisfactionSurvey.objects.filter(ticket__service=service, answered_at__gte=period.start,
                                           answered_at__lt=period.end, rating__isnull=False)
    if organization is not None:
        qs = qs.filter(ticket__organization=organization)
    distribution = {f"r{i}": Count("id", filter=Q(rating=i)) for i in range(1, 6)}
    result = qs.aggregate(count=Count("id"), average=Avg("rating"), **distribution)
    return {"count": result["count"],
            "average": round(float(result["average"]), 2) if result["average"] is not None else None,
            "distribution": {str(i): result[f"r{i}"] for i in range(1, 6)}}


def service_report(service, organization, period):
    org_id = organization.pk if organization else None
    by_target = reports.compliance(period, "target", service=service.pk, organization=org_id)
    measured = {row["key"]: row for row in by_target["rows"]}
    targets = []
    for target in agreed_targets(service, organization, period):
        row = measured.pop(target.pk, None) or reports._row({})
        targets.append({"target": target.pk, "name": target.name, "agreement": str(target.agreement),
                        "metric": target.metric, "priority": target.priority,
                        "target_seconds": target.target_seconds,
                        **{k: v for k, v in row.items() if k not in ("key", "label")}})
    for key, row in measured.items():  # timers of targets no longer agreed still count
        targets.append({"target": key, "name": row["label"], "agreement": "", "metric": "", "priority": None,
                        "target_seconds": None, **{k: v for k, v in row.items() if k not in ("key", "label")}})
    # MTTA/MTTR of the service's tickets (all of them, not only those with a timer of an agreed target).
    scope = {"service": service.pk, "organization": org_id, "kind": None}
    mtta, mttr = reports.overall_times(period, "service", scope)
    total = {**by_target["total"], "mtta_seconds": reports._seconds(mtta), "mttr_seconds": reports._seconds(mttr)}
    avail_rows = reports.availability(period, services=[service.pk], organization=org_id)["rows"]
    breaches = reports.breaches(period, "service", service=service.pk, organization=org_id)
    return {
        "service": {"id": service.pk, "name": service.name},
        "organization": {"id": organization.pk, "name": organization.name} if organization else None,
        "period": period.as_dict(),
        "total": total,
        "trend": by_target["trend"],
        "targets": targets,
        "availability": avail_rows[0] if avail_rows else None,
        "satisfaction": satisfaction_summary(service, organization, period),
        "incidents_by_priority": incidents_by_priority(service, organization, period),
        "breaches": [reports.breach_dict(t) for t in breaches],
    }


def _fmt(value):
    return "" if value is None else value


def service_report_csv(report):
    """The report as CSV: one block per section, each with its own header row."""
    out = io.StringIO()
    w = csv_export.writer(out)
    total, avail, sat = report["total"], report["availability"] or {}, report["satisfaction"]
    w.writerow([_("Service report"), report["service"]["name"],
                (report["organization"] or {}).get("name", _("All customers")), report["period"]["label"]])
    w.writerow([])
    w.writerow([_("Measure"), _("Value")])
    for label, value in [
        (_("Measured"), total["measured"]), (_("Met"), total["met"]), (_("Breached"), total["breached"]),
        (_("Compliance %"), total["compliance"]), (_("MTTA (seconds)"), total["mtta_seconds"]),
        (_("MTTR (seconds)"), total["mttr_seconds"]), (_("Availability %"), avail.get("availability")),
        (_("Availability target %"), avail.get("target")), (_("Downtime (seconds)"), avail.get("downtime_seconds")),
        (_("Satisfaction (average)"), sat["average"]), (_("Surveys answered"), sat["count"]),
    ]:
        w.writerow([label, _fmt(value)])
    w.writerow([])
    w.writerow([_("Target"), _("Agreement"), _("Metric"), _("Target (seconds)"), _("Measured"), _("Met"),
                _("Breached"), _("Compliance %")])
    for t in report["targets"]:
        w.writerow([t["name"], t["agreement"], t["metric"], _fmt(t["target_seconds"]), t["measured"], t["met"],
                    t["breached"], _fmt(t["compliance"])])
    w.writerow([])
    w.writerow([_("Period"), _("Measured"), _("Met"), _("Compliance %")])
    for p in report["trend"]:
        w.writerow([p["period"], p["measured"], p["met"], _fmt(p["compliance"])])
    w.writerow([])
    w.writerow([_("Priority"), _("Incidents")])
    for p in report["incidents_by_priority"]:
        w.writerow([p["label"], p["count"]])
    w.writerow([])
    w.writerow([_("Ticket"), _("Title"), _("Metric"), _("Target"), _("Breached at")])
    for b in report["breaches"]:
        w.writerow([b["ticket"]["number"], b["ticket"]["title"], b["metric"], b["target"], b["breached_at"]])
    return out.getvalue()
