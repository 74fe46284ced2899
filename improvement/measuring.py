"""Capturing baselines and measuring results (improvement.metrics does the arithmetic). The baseline covers
`baseline_days` days up to the day before it is captured; the result covers the days from the start of action
(or the day after the baseline) to today. The beat job (tasks.remeasure_improvements, services.remeasure_due)
re-measures every record taking action or past it, once a day, until it closes."""

import datetime
import re

from django.utils import timezone

from . import metrics
from .models import Improvement, Measurement
from .workflow import ACTION, MOMENTUM, RESULT

QUARTER_RE = re.compile(r"^\d{4}Q[1-4]$")
MEASURED_STAGES = (ACTION, RESULT, MOMENTUM)


def valid_quarter(value):
    return bool(QUARTER_RE.match(value or ""))


def baseline_period(improvement, today=None):
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=improvement.baseline_days), today - datetime.timedelta(days=1)


def result_period(improvement, today=None):
    today = today or timezone.localdate()
    first = improvement.action_started_on
    if first is None and improvement.baseline_end is not None:
        first = improvement.baseline_end + datetime.timedelta(days=1)
    return min(first or today, today), today


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _set(improvement, values):
    changes = {}
    for name, value in values.items():
        old = getattr(improvement, name)
        if old != value:
            changes[name] = [_iso(old), _iso(value)]
            setattr(improvement, name, value)
    return changes


def capture_baseline(improvement):
    """Measure the baseline now (fields set on the instance, a Measurement row written); the audit changes."""
    first, last = baseline_period(improvement)
    value = metrics.measure(metrics.spec_of(improvement), first, last)
    Measurement.objects.create(improvement_id=improvement.pk, kind=Measurement.Kind.BASELINE, value=value,
                               period_start=first, period_end=last)
    return _set(improvement, {"baseline_value": value, "baseline_start": first, "baseline_end": last,
                              "baseline_captured_at": timezone.now()})


def measure_result(improvement):
    """Measure "did we get there" now, with its outcome against the baseline and the target; the audit changes."""
    first, last = result_period(improvement)
    value = metrics.measure(metrics.spec_of(improvement), first, last)
    Measurement.objects.create(improvement_id=improvement.pk, kind=Measurement.Kind.RESULT, value=value,
                               period_start=first, period_end=last)
    changes = _set(improvement, {
        "result_value": value, "result_start": first, "result_end": last,
        "outcome": metrics.outcome(improvement.metric_name, improvement.baseline_value, improvement.target_value,
                                   value)})
    improvement.result_measured_at = timezone.now()
    return changes


def due_for_remeasure(today=None):
    """Records taking action or past it whose result was not measured today (cost follows what is due)."""
    today = today or timezone.localdate()
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    return (Improvement.objects.filter(state__in=MEASURED_STAGES, baseline_captured_at__isnull=False)
            .exclude(metric_name="").exclude(result_measured_at__gte=midnight).order_by("id"))

