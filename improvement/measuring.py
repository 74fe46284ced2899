"""Capturing baselines and measuring results (improvement.metrics measures and documents the rules).

Periods are whole days in the site's time zone (metrics.site_today), whoever triggers the measuring:
- the baseline covers `baseline_days` days up to the day before it is captured (on entering "where are we now");
- the result ("did we get there") covers the latest complete days since action started, at most as many as the
  baseline's, up to yesterday: a period after the baseline's, never longer, and complete, so the SLM reports show
  the same figure for it later on. On the day action started there is no complete day yet: it covers that day
  so far.
The beat job (tasks.remeasure_improvements) re-measures every record taking action or past it once a day, until
it closes; a closed record is never measured again."""

import datetime
import re

from django.db.models import Q
from django.utils import timezone

from core.workflow import TransitionError

from . import metrics
from .models import Improvement, Measurement
from .workflow import ACTION, MOMENTUM, RESULT

QUARTER_RE = re.compile(r"^\d{4}Q[1-4]$")
MEASURED_STAGES = (ACTION, RESULT, MOMENTUM)
BATCH_SIZE = 100  # records re-measured per run of the beat job (it re-queues itself while batches are full)
DAY = datetime.timedelta(days=1)


def valid_quarter(value):
    return bool(QUARTER_RE.match(value or ""))


def baseline_period(improvement, today=None):
    today = today or metrics.site_today()
    return today - datetime.timedelta(days=improvement.baseline_days), today - DAY


def baseline_length(improvement):
    """Days the captured baseline covers (baseline_days until it is captured)."""
    if improvement.baseline_start and improvement.baseline_end:
        return (improvement.baseline_end - improvement.baseline_start).days + 1
    return improvement.baseline_days


def result_period(improvement, today=None):
    today = today or metrics.site_today()
    started = improvement.action_started_on
    if started is None:
        started = improvement.baseline_end + DAY if improvement.baseline_end is not None else today
    last = today - DAY
    first = max(started, last - datetime.timedelta(days=baseline_length(improvement) - 1))
    if first > last:  # action started today: no complete day yet
        return today, today
    return first, last


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


def _measure(improvement, kind, first, last):
    spec = metrics.spec_of(improvement)
    errors = metrics.validate_spec(spec)
    if errors:
        raise TransitionError(errors)
    value = metrics.measure(spec, first, last)
    Measurement.objects.create(improvement_id=improvement.pk, kind=kind, value=value, period_start=first,
                               period_end=last)
    return value


def capture_baseline(improvement):
    """Measure the baseline now (fields set on the instance, a Measurement row written); the audit changes."""
    first, last = baseline_period(improvement)
    value = _measure(improvement, Measurement.Kind.BASELINE, first, last)
    return _set(improvement, {"baseline_value": value, "baseline_start": first, "baseline_end": last,
                              "baseline_captured_at": timezone.now()})


def measure_result(improvement):
    """Measure "did we get there" now, with its outcome against the baseline and the target; the audit changes
    (the time of measuring is set on the instance, not audited)."""
    first, last = result_period(improvement)
    value = _measure(improvement, Measurement.Kind.RESULT, first, last)
    changes = _set(improvement, {"result_value": value, "result_start": first, "result_end": last})
    changes.update(_set(improvement, {"outcome": outcome_of(improvement)}))
    improvement.result_measured_at = timezone.now()
    return changes


def outcome_of(improvement):
    """The outcome of the stored result against the stored baseline and target."""
    if improvement.result_start is None:
        return ""
    return metrics.outcome(improvement.metric_name, improvement.baseline_value, improvement.target_value,
                           improvement.result_value, baseline_length(improvement),
                           (improvement.result_end - improvement.result_start).days + 1)


def site_midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), metrics.site_zone())


def due_for_remeasure(today=None, after_id=0):
    """Records taking action or past it (not closed) whose result was not measured today, by id after
    `after_id`: a batch is a range of ids, so a record that cannot be measured never holds the others up."""
    midnight = site_midnight(today or metrics.site_today())
    return (Improvement.objects.filter(kind=Improvement.TICKET_KIND, state__in=MEASURED_STAGES, closure="",
                                       action_started_on__isnull=False, baseline_captured_at__isnull=False,
                                       pk__gt=after_id)
            .exclude(metric_name="")
            .filter(Q(result_measured_at__isnull=True) | Q(result_measured_at__lt=midnight)).order_by("id"))
