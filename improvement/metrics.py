"""The metrics an improvement can target, measured by the service level reports' own functions (slm.reports,
slm.reports_service), so that a baseline or result equals what those reports show for the same metric, scope
and period.

A metric is a name (models.MetricName) and a scope: a service, an organization, a team and/or an incident
category (at least one). Units: % for SLA compliance and availability, seconds for MTTA and MTTR, the average
rating (1-5) for CSAT, a count of incidents raised for incident volume."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from slm import reports

from .models import LOWER_IS_BETTER, MetricName, Outcome


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


def spec_of(improvement):
    return MetricSpec(improvement.metric_name, improvement.metric_timer, improvement.metric_service_id,
                      improvement.metric_organization_id, improvement.metric_team_id, improvement.metric_category_id)


def validate_spec(spec):
    """{field: [messages]} for a spec that cannot be measured (empty when it can)."""
    if not spec.name:
        return {"metric_name": [_("Choose the metric this improvement moves.")]}
    errors = {}
    if not (spec.service or spec.organization or spec.team or spec.category):
        errors["metric_service"] = [_("Name what is measured: a service, an organization, a team or a category.")]
    if spec.name == MetricName.AVAILABILITY and (not spec.service or spec.team or spec.category):
        errors["metric_service"] = [_("Availability is measured for a service (and optionally a customer).")]
    if spec.timer and spec.name != MetricName.SLA_COMPLIANCE:
        errors["metric_timer"] = [_("Only SLA compliance is measured on response or resolution timers.")]
    return errors


def period_of(first_day, last_day):
    """The report period covering first_day..last_day, as the SLM reports build it from a start and end date."""
    return reports.parse_period(start=first_day.isoformat(), end=last_day.isoformat())


def _group(spec):
    """(group_by, key) selecting the spec's narrowest grouping in the SLM report functions."""
    if spec.team:
        return "team", spec.team
    if spec.service:
        return "service", spec.service
    if spec.organization:
        return "organization", spec.organization
    return "service", None


def measure(spec, first_day, last_day):
    """The metric's value over the days first_day..last_day (both included), or None when nothing was measured."""
    period = period_of(first_day, last_day)
    group_by, key = _group(spec)
    scope = {"service": spec.service, "organization": spec.organization, "kind": None}
    if spec.name == MetricName.SLA_COMPLIANCE:
        return reports.compliance(period, group_by, key=key, **scope)["total"]["compliance"]
    if spec.name in (MetricName.MTTA, MetricName.MTTR):
        mtta, mttr = reports.overall_times(period, group_by, scope, key)
        value = mtta if spec.name == MetricName.MTTA else mttr
        return reports._seconds(value)
    if spec.name == MetricName.AVAILABILITY:
        rows = reports.availability(period, services=[spec.service], organization=spec.organization)["rows"]
        return rows[0]["availability"] if rows else None
    if spec.name == MetricName.CSAT:
        rows = [r for r in reports.satisfaction(period, group_by, **scope) if key is None or r["key"] == key]
        return rows[0]["average"] if rows else None
    if spec.name == MetricName.INCIDENT_VOLUME:
        from incidents.models import Incident

        qs = Incident.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
        for name in ("service", "organization", "team"):
            if getattr(spec, name):
                qs = qs.filter(**{f"{name}_id": getattr(spec, name)})
        return qs.count()
    return None




def outcome(name, baseline, target, result):
    """Achieved (the result reaches the target), partly achieved (better than the baseline, short of the target)
    or not achieved; "" while there is no result or no target."""
    if result is None or target is None:
        return ""
    lower = name in LOWER_IS_BETTER
    reached = result <= target if lower else result >= target
    if reached:
        return Outcome.ACHIEVED
    if baseline is not None and (result < baseline if lower else result > baseline):
        return Outcome.PARTLY_ACHIEVED
    return Outcome.NOT_ACHIEVED
