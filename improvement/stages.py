"""What each stage needs beyond its text fields, and what happens when a stage is entered: the baseline is
captured on entering "where are we now", the action start is stamped, the result is measured on entering "did
we get there", and closing records whether the improvement was completed or withdrawn. Runs inside the
transition engine's transaction (Improvement.before_transition); a refusal is a TransitionError naming fields."""

from django.utils.translation import gettext as _

from core.workflow import TransitionError

from . import measuring, metrics
from .models import Closure
from .workflow import ACTION, BASELINE, CLOSED, MOMENTUM, PLAN, RESULT, TARGET, VISION

OPEN_TASKS_LISTED = 5


def _check_leaving(improvement, stage):
    errors = {}
    if stage == VISION:
        errors.update(metrics.validate_spec(metrics.spec_of(improvement)))
    elif stage == BASELINE:
        if improvement.baseline_captured_at is None:
            errors["baseline"] = [_("The baseline has not been captured yet.")]
        if not any(getattr(improvement, name).strip() for name in ASSESSMENT_FIELDS):
            errors["assessment_notes"] = [_("Describe where we are now: a SWOT, a balanced scorecard or "
                                            "assessment notes (an audit's findings, say).")]
    elif stage == TARGET:
        messages = metrics.validate_target(improvement.metric_name, improvement.target_value)
        if messages:
            errors["target_value"] = messages
    elif stage == PLAN:
        if improvement.quarter and not measuring.valid_quarter(improvement.quarter):
            errors["quarter"] = [_("Enter a quarter as 2026Q3.")]
    elif stage == ACTION:
        has_links = improvement.links_out.exists() or improvement.links_in.exists()
        if not (improvement.tasks.exists() or has_links or improvement.action_notes.strip()):
            errors["tasks"] = [_("Record the actions taken: tasks, linked changes or problems, or action notes.")]
        open_tasks = list(improvement.tasks.filter(done_at__isnull=True).values_list("title", flat=True)
                          [:OPEN_TASKS_LISTED + 1])
        if open_tasks:
            listed = ", ".join(open_tasks[:OPEN_TASKS_LISTED]) + ("…" if len(open_tasks) > OPEN_TASKS_LISTED else "")
            errors["tasks"] = [_("These tasks are not done yet: %(tasks)s.") % {"tasks": listed}]
    elif stage == RESULT:
        if improvement.result_measured_at is None:
            errors["result"] = [_("The result has not been measured yet.")]
    return errors


ASSESSMENT_FIELDS = ("swot_strengths", "swot_weaknesses", "swot_opportunities", "swot_threats",
                     "scorecard_financial", "scorecard_customer", "scorecard_internal", "scorecard_learning",
                     "assessment_notes")


def on_enter(improvement, from_state, to, actor):
    """Checks the stage being left, then does what entering `to` does; returns the audit changes it made."""
    forward = not (from_state == RESULT and to == ACTION) and not (to == CLOSED and from_state != MOMENTUM)
    if forward:
        errors = _check_leaving(improvement, from_state)
        if errors:
            raise TransitionError(errors)
    changes = {}
    if to == BASELINE:
        changes.update(measuring.capture_baseline(improvement))
    elif to == ACTION and improvement.action_started_on is None:
        improvement.action_started_on = metrics.site_today()
        changes["action_started_on"] = [None, improvement.action_started_on.isoformat()]
    elif to == RESULT:
        changes.update(measuring.measure_result(improvement))
    elif to == CLOSED:
        closure = Closure.COMPLETED if from_state == MOMENTUM else Closure.WITHDRAWN
        changes["closure"] = [improvement.closure, closure]
        improvement.closure = closure
    return changes

