"""The metrics an improvement can target, measured by the service level reports' own functions (slm.reports), so
that a baseline or a result equals what those reports show for the same metric, scope and period.

A metric is a name (models.MetricName) and a scope: a service, an organization (customer), a team and/or an
incident category (a top-level category or a subcategory), at least one of them; any combination narrows it
(service and organization: that customer's tickets of the service). The period is a range of whole days
first_day..last_day in the site's time zone (settings.TIME_ZONE, whoever triggers the measuring), built as the
reports build a start/end range (reports.parse_period). Each scope field is a report filter, and the figure is
the report's overall figure under those filters (its "Total" row, not a group's row):

- sla_compliance (%): reports.compliance(period, service=, organization=, team=, category=,
  timer_metric=)["total"]["compliance"]; met / measured x 100 over the timers whose outcome became known in the
  period, all ticket kinds (incidents only with a category); `timer` restricts it to response or resolution
  timers. The SLA compliance page's Total row with the same filters.
- mtta, mttr (seconds): reports.overall_times(period, "service", scope) as the reports' *_seconds (the
  compliance report's total mtta_seconds / mttr_seconds): the mean of first_response_at - created_at over the
  tickets first responded to in the period, of resolved_at - created_at over those resolved in it (cancelled
  tickets left out).
- availability (%): reports.availability(period, services=[service], organization=)["rows"][0]["availability"]
  (major incidents' outages, merged and clipped to the period); needs a service, no team or category (the
  customer only chooses the target it is compared with in the reports).
- csat (average rating 1-5): reports.satisfaction_total(period, scope)["average"], the surveys answered in the
  period (the "All answers" line of the compliance page; a service's monthly report for service scope).
- incident_volume (count): reports.incident_volume(period, scope), the incidents created in the period (the
  service report's incidents by priority, summed, for service scope).

None means nothing was measured in the period (no timer measured, no ticket responded to, no survey answered).

Outcome ("did we get there"): achieved when the result reaches the target, partly achieved when it is short of
the target but better than the baseline, else not achieved; lower is better for MTTA, MTTR and incident volume,
higher for the others. Incident volume is a count, so a result over a shorter period than the baseline's is
compared per day: scaled to the baseline's length before it is compared (its target is a count over a period as
long as the baseline's)."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from slm import reports

from .models import LOWER_IS_BETTER, MetricName, Outcome, TimerMetric

SCOPE = ("service", "organization", "team", "category")
# The values a target may take, per metric (inclusive bounds; None: unbounded).
TARGET_RANGE = {
    MetricName.SLA_COMPLIANCE: (0, 100), MetricName.AVAILABILITY: (0, 100), MetricName.CSAT: (1, 5),
    MetricName.MTTA: (0, None), MetricName.MTTR: (0, None), MetricName.INCIDENT_VOLUME: (0, None),
}


@dataclass(frozen=True)
class MetricSpec:
    name: str  # models.MetricName value, "" when not chosen
    timer: str = ""  # SLA compliance only: "response", "resolution" or "" (both)
    service: int | None = None
    organization: int | None = None
    team: int | None = None
    category: int | None = None

    def as_dict(self):
        return {"name": self.name, "timer": self.timer, "service": self.service,
                "organization": self.organization, "team": self.team, "category": self.category}

    def scope(self):
        """The report functions' scope filters."""
        return {name: getattr(self, name) for name in SCOPE}


def spec_of(improvement):
    return MetricSpec(improvement.metric_name, improvement.metric_timer, improvement.metric_service_id,
                      improvement.metric_organization_id, improvement.metric_team_id, improvement.metric_category_id)


def validate_spec(spec):
    """{field: [messages]} for a spec that cannot be measured (empty when it can); fields are the model's."""
    if not spec.name:
        return {"metric_name": [_("Choose the metric this improvement moves.")]}
    if spec.name not in MetricName.values:
        return {"metric_name": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(MetricName.values)}]}
    errors = {}
    if spec.timer not in TimerMetric.values:
        errors["metric_timer"] = [_("Choose response, resolution or both.")]
    elif spec.timer and spec.name != MetricName.SLA_COMPLIANCE:
        errors["metric_timer"] = [_("Only SLA compliance is measured on response or resolution timers.")]
    if spec.name == MetricName.AVAILABILITY:
        if not spec.service:
            errors["metric_service"] = [_("Availability is measured for a service.")]
        for name in ("team", "category"):
            if getattr(spec, name):
                errors[f"metric_{name}"] = [_("Availability is measured for a service (and optionally a "
                                              "customer), not for a team or a category.")]
    elif not any(spec.scope().values()):
        errors["metric_service"] = [_("Name what is measured: a service, an organization, a team or a category.")]
    return errors


def validate_target(name, value):
    """Messages for a target the metric can never take (an empty list when it can)."""
    if value is None or name not in TARGET_RANGE:
        return []
    low, high = TARGET_RANGE[name]
    if value < low or (high is not None and value > high):
        if high is None:
            return [_("Enter a value of at least %(low)s.") % {"low": low}]
        return [_("Enter a value from %(low)s to %(high)s.") % {"low": low, "high": high}]
    return []


def site_zone():
    return timezone.get_default_timezone()


def site_today():
    """Today in the site's time zone (periods are whole days there, whoever measures)."""
    return timezone.localdate(timezone=site_zone())


def period_of(first_day, last_day):
    """The report period covering first_day..last_day in the site's time zone, as the SLM reports build it from a
    start and an end date."""
    with timezone.override(site_zone()):
        return reports.parse_period(start=first_day.isoformat(), end=last_day.isoformat())


def measure(spec, first_day, last_day):
    """The metric's value over the days first_day..last_day (both included), or None when nothing was measured;
    see the module's rules."""
    period = period_of(first_day, last_day)
    scope = spec.scope()
    with timezone.override(site_zone()):
        if spec.name == MetricName.SLA_COMPLIANCE:
            return reports.compliance(period, "service", timer_metric=spec.timer or None, **scope)["total"][
                "compliance"]
        if spec.name in (MetricName.MTTA, MetricName.MTTR):
            mtta, mttr = reports.overall_times(period, "service", scope)
            return reports._seconds(mtta if spec.name == MetricName.MTTA else mttr)
        if spec.name == MetricName.AVAILABILITY:
            rows = reports.availability(period, services=[spec.service], organization=spec.organization)["rows"]
            return rows[0]["availability"] if rows else None
        if spec.name == MetricName.CSAT:
            return reports.satisfaction_total(period, **scope)["average"]
        if spec.name == MetricName.INCIDENT_VOLUME:
            return reports.incident_volume(period, **scope)
    raise ValueError(f"unknown metric {spec.name!r}")


def outcome(name, baseline, target, result, baseline_days=None, result_days=None):
    """Achieved (the result reaches the target), partly achieved (better than the baseline, short of the target)
    or not achieved; "" while there is no result or no target. For incident volume, a result over result_days is
    scaled to baseline_days first (a count grows with its period)."""
    if result is None or target is None:
        return ""
    if name == MetricName.INCIDENT_VOLUME and baseline_days and result_days:
        result = result * baseline_days / result_days
    lower = name in LOWER_IS_BETTER
    reached = result <= target if lower else result >= target
    if reached:
        return Outcome.ACHIEVED
    if baseline is not None and (result < baseline if lower else result > baseline):
        return Outcome.PARTLY_ACHIEVED
    return Outcome.NOT_ACHIEVED
