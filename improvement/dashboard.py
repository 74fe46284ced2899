"""The improvement dashboard's figures (set-based: one grouped query per figure) and the display helpers the
register and record pages share: metric values in their units, the budget lines, the small inline SVG charts."""

from collections import defaultdict

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from slm.reports_views import duration

from . import queries
from .models import Closure, Improvement, Measurement, MetricName, Outcome, Source
from .workflow import CLOSED, STAGES, STATES

METRIC_SHORT = {MetricName.SLA_COMPLIANCE: _("SLA compliance"), MetricName.MTTA: _("MTTA"),
                MetricName.MTTR: _("MTTR"), MetricName.AVAILABILITY: _("Availability"),
                MetricName.CSAT: _("CSAT"), MetricName.INCIDENT_VOLUME: _("Incident volume")}
CHART_LIMIT = 60  # charts on the dashboard: the most recently measured records
CHART_POINTS = 30  # at most this many results per chart (the latest kept, older ones thinned)
CHART_W, CHART_H, CHART_PAD = 240, 64, 6


def metric_value(name, value):
    """A measured or target value in its metric's unit ("97.5%", "2h 05m", "4.20", "31"); "—" for none."""
    if value is None or not name:
        return "—"
    if name in (MetricName.SLA_COMPLIANCE, MetricName.AVAILABILITY):
        return f"{value:.1f}%"
    if name in (MetricName.MTTA, MetricName.MTTR):
        return duration(value)
    if name == MetricName.CSAT:
        return f"{value:.2f}"
    return f"{value:.0f}"


def metric_scope(improvement):
    """What the metric is measured for, in words ("service Mail · team Network")."""
    parts = [(_("service %(name)s"), improvement.metric_service), (_("organization %(name)s"),
                                                                   improvement.metric_organization),
             (_("team %(name)s"), improvement.metric_team), (_("category %(name)s"), improvement.metric_category)]
    return " · ".join(str(text) % {"name": value} for text, value in parts if value is not None)


def report_url(improvement, first_day, last_day):
    """The SLA report page for the record's metric, scope and a period: the scope as the report's own filters (so
    its total is the record's figure); None before there is a metric or a period."""
    if not improvement.metric_name or not first_day:
        return None
    query = {"start": first_day.isoformat(), "end": last_day.isoformat()}
    for name in ("service", "organization", "team", "category"):
        key = getattr(improvement, f"metric_{name}_id")
        if key:
            query[name] = key
    if improvement.metric_timer:
        query["timer_metric"] = improvement.metric_timer
    return f"{reverse('slm:report-compliance')}?{urlencode(query)}"


def budget_lines(rows):
    """committed_by_quarter rows with the share used and whether committed (or committed plus planned) work goes
    beyond the budget or the capacity."""
    for row in rows:
        budget, capacity = row["budget"], row["capacity_days"]
        row["cost_pct"] = round(row["committed_cost"] * 100 / budget) if budget else None
        row["days_pct"] = round(row["committed_days"] * 100 / capacity) if capacity else None
        row["over_cost"] = budget is not None and row["committed_cost"] > budget
        row["over_days"] = capacity is not None and row["committed_days"] > capacity
        row["tight_cost"] = budget is not None and row["committed_cost"] + row["planned_cost"] > budget
        row["tight_days"] = capacity is not None and row["committed_days"] + row["planned_days"] > capacity
        row["over"] = row["over_cost"] or row["over_days"]
    return rows


def quarter_lines(around):
    """The budget lines of the quarter `around` and the ones after it, plus the one before (a register's view)."""
    year, number = int(around[:4]), int(around[5])
    previous = f"{year - 1}Q4" if number == 1 else f"{year}Q{number - 1}"
    return budget_lines([row for row in queries.committed_by_quarter() if row["quarter"] >= previous][::-1][:6])


# --- the dashboard's figures ------------------------------------------------------------------

def by_stage():
    counts = dict(Improvement.objects.values_list("state").annotate(n=Count("id")).order_by())
    return [{"stage": stage, "label": STATES[stage], "count": counts.get(stage, 0)} for stage in STAGES]


def by_source():
    rows = Improvement.objects.values("source").annotate(
        total=Count("id"), open=Count("id", filter=~Q(state=CLOSED))).order_by()
    labels = dict(Source.choices)
    return sorted(({"source": r["source"], "label": labels.get(r["source"], r["source"]), "total": r["total"],
                    "open": r["open"]} for r in rows), key=lambda r: (-r["total"], str(r["label"])))


def by_service():
    through = Improvement.services.through.objects
    rows = through.values("service_id", "service__name").annotate(
        total=Count("improvement_id"), open=Count("improvement_id", filter=~Q(improvement__state=CLOSED))
    ).order_by("-total", "service__name")
    return [{"service_id": r["service_id"], "name": r["service__name"], "total": r["total"], "open": r["open"]}
            for r in rows]


def outcomes():
    """How many measured records reached their target, partly or not (withdrawn ones left out)."""
    counts = dict(Improvement.objects.exclude(outcome="").exclude(closure=Closure.WITHDRAWN)
                  .values_list("outcome").annotate(n=Count("id")).order_by())
    rows = [{"outcome": value, "label": label, "count": counts.get(value, 0)} for value, label in Outcome.choices]
    total = sum(row["count"] for row in rows)
    for row in rows:
        row["pct"] = round(row["count"] * 100 / total) if total else 0
    return {"rows": rows, "total": total}


def measured_records(limit=CHART_LIMIT):
    return list(Improvement.objects.filter(baseline_captured_at__isnull=False).exclude(metric_name="")
                .exclude(closure=Closure.WITHDRAWN).only(
                    "number", "title", "state", "metric_name", "baseline_value", "target_value", "result_value",
                    "outcome", "baseline_captured_at", "result_measured_at")
                .order_by("-result_measured_at", "-baseline_captured_at", "-id")[:limit])


def charts(records):
    """A small chart per record: its baseline, then each result measured (Measurement rows, one query for all),
    with the target as a dashed line."""
    series = defaultdict(list)
    for row in (Measurement.objects.filter(improvement_id__in=[r.pk for r in records])
                .values_list("improvement_id", "kind", "value", "period_start", "period_end", "measured_at")
                .order_by("measured_at", "id")):
        series[row[0]].append(row[1:])
    return [chart(record, series.get(record.pk, [])) for record in records]


def chart(record, measurements):
    baseline = [m for m in measurements if m[0] == Measurement.Kind.BASELINE][-1:]
    results = [m for m in measurements if m[0] == Measurement.Kind.RESULT and m[1] is not None]
    if len(results) > CHART_POINTS:  # keep the first and the latest, thin the middle evenly
        step = (len(results) - 1) / (CHART_POINTS - 1)
        results = [results[round(i * step)] for i in range(CHART_POINTS)]
    points = [m for m in baseline + results if m[1] is not None]
    values = [m[1] for m in points] + ([record.target_value] if record.target_value is not None else [])
    name = record.metric_name
    out = {"record": record, "width": CHART_W, "height": CHART_H, "points": [], "line": "", "target_y": None,
           "metric": METRIC_SHORT.get(name, name), "baseline": metric_value(name, record.baseline_value),
           "target": metric_value(name, record.target_value), "latest": metric_value(name, record.result_value)}
    if not values:
        return out
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    span_x = CHART_W - 2 * CHART_PAD

    def y(value):
        return round(CHART_PAD + (high - value) * (CHART_H - 2 * CHART_PAD) / (high - low), 1)

    for index, (kind, value, first, last, _measured) in enumerate(points):
        x = round(CHART_PAD + (span_x * index / (len(points) - 1) if len(points) > 1 else 0), 1)
        out["points"].append({"x": x, "y": y(value), "box_x": round(x - 3, 1), "box_y": round(y(value) - 3, 1),
                              "value": value, "text": metric_value(name, value), "kind": kind, "start": first,
                              "end": last})
    out["line"] = " ".join(f"{p['x']},{p['y']}" for p in out["points"])
    if record.target_value is not None:
        out["target_y"] = y(record.target_value)
    return out


def figures():
    from .services import current_quarter

    records = measured_records()
    return {"by_stage": by_stage(), "by_source": by_source(), "by_service": by_service(), "outcomes": outcomes(),
            "budgets": budget_lines(queries.committed_by_quarter()[:8][::-1]), "charts": charts(records),
            "current_quarter": current_quarter()}
