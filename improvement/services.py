"""Every write to the improvement register: improvements (over core.services' transition engine), moving a
record to its next stage, measuring, the manager's rank, tasks, quarter budgets. Proposals and conversions are
feeds.py."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core import services as core_services
from core.models import AuditAction, Channel
from core.services import PermissionDeniedError
from core.workflow import TransitionError

from . import measuring, metrics
from .models import ASSESSMENT, Improvement, ImprovementTask, Practice, QuarterBudget, priority_score
from .workflow import CLOSED, REQUIRED, STAGES, WORKFLOW, next_stage

RELATIONS = ("services",)
# What the baseline was measured for: changing it before action re-captures the baseline; from action on, the
# result must measure what the baseline measured, so it is refused.
MEASURED_FOR = ("metric_name", "metric_timer", "metric_service", "metric_organization", "metric_team",
                "metric_category", "baseline_days")


def _clean_practices(value):
    values = list(dict.fromkeys(value or []))
    unknown = [v for v in values if v not in Practice.values]
    if unknown:
        raise ValidationError({"practices": [_("Unknown practices: %(names)s.") % {"names": ", ".join(
            map(str, unknown))}]})
    return values


def _prepare(improvement, data):
    """Normalise the written fields: practices checked, the quarter upper-cased, the score recomputed."""
    data = dict(data)
    if "practices" in data:
        data["practices"] = _clean_practices(data["practices"])
    if data.get("quarter"):
        data["quarter"] = data["quarter"].strip().upper().replace("-Q", "Q")
        if not measuring.valid_quarter(data["quarter"]):
            raise ValidationError({"quarter": [_("Enter a quarter as 2026Q3.")]})
    if data.keys() & set(ASSESSMENT) or improvement is None:
        ratings = {name: data.get(name, getattr(improvement, name, 3)) for name in ASSESSMENT}
        data["score"] = priority_score(**ratings)
    return data


@transaction.atomic
def create_improvement(actor, data):
    data = dict(data)
    data.setdefault("channel", Channel.PORTAL)
    relations = {name: data.pop(name) for name in RELATIONS if name in data}
    data = _prepare(None, data)
    if actor is not None and actor.pk and "owner" not in data:
        data["owner"] = actor
    improvement = core_services.create_ticket(Improvement, actor, data)
    core_services.set_relations(improvement, actor, relations)
    return improvement


@transaction.atomic
def update_improvement(improvement, actor, data, expected_version=None):
    data = dict(data)
    if "rank_override" in data or "rank_reason" in data:
        raise ValidationError({"rank_override": [_("Set the rank with its reason through the rank action.")]})
    relations = {name: data.pop(name) for name in RELATIONS if name in data}
    if improvement.state == CLOSED and (data or relations):
        raise ValidationError({"stage": [_("A closed improvement cannot be changed.")]})
    _check_kept_content(improvement, data)
    measured_for = {name for name in MEASURED_FOR if name in data}
    if measured_for and improvement.baseline_captured_at is not None:
        before = {name: core_services._value(improvement, name) for name in measured_for}
    improvement = core_services.update_ticket(improvement, actor, _prepare(improvement, data), expected_version)
    if measured_for and improvement.baseline_captured_at is not None and any(
            core_services._value(improvement, name) != value for name, value in before.items()):
        _remeasure_baseline(improvement, actor, sorted(measured_for))
    if "target_value" in data:
        _refresh_outcome(improvement, actor)
    core_services.set_relations(improvement, actor, relations)
    return improvement


def _check_kept_content(improvement, data):
    """What a step needed to be left stays: its required content cannot be blanked once the record is past it,
    and a target must be one the metric can take."""
    passed = STAGES[:STAGES.index(improvement.state)]
    errors = {name: [_("This was needed to leave “%(stage)s” and cannot be emptied now.") % {
        "stage": WORKFLOW.label(stage)}] for stage in passed for name in REQUIRED.get(stage, ())
        if name in data and data[name] in (None, "")}
    if "target_value" in data:
        metric_name = data.get("metric_name", improvement.metric_name)
        messages = metrics.validate_target(metric_name, data["target_value"])
        if messages:
            errors["target_value"] = messages
    if errors:
        raise ValidationError(errors)


def _refresh_outcome(improvement, actor):
    """A new target changes what the measured result means: the outcome follows it (audited)."""
    if improvement.result_measured_at is None:
        return
    outcome = measuring.outcome_of(improvement)
    if outcome != improvement.outcome:
        changes = {"outcome": [improvement.outcome, outcome]}
        improvement.outcome = outcome
        core_services._save(improvement, actor, AuditAction.UPDATED, changes)


def _remeasure_baseline(improvement, actor, fields):
    """The metric changed after the baseline was captured: capture it again (before action), else refuse."""
    if improvement.action_started_on is not None:
        raise ValidationError({name: [_("The baseline was measured for this metric and action has started: the "
                                        "result must measure the same. Withdraw and record a new improvement "
                                        "instead.")] for name in fields})
    changes = measuring.capture_baseline(improvement)
    core_services._save(improvement, actor, AuditAction.UPDATED, changes)


@transaction.atomic
def transition_improvement(improvement, actor, to, data=None, expected_version=None, comment="",
                           internal_comment=False):
    return core_services.transition_ticket(improvement, actor, to, data, expected_version, comment=comment,
                                           internal_comment=internal_comment)


@transaction.atomic
def advance(improvement, actor, data=None, expected_version=None):
    """Write the stage content in `data` (if any), then move the record to its next stage. Missing content is a
    TransitionError naming each field."""
    to = next_stage(improvement.state)
    if to is None:
        raise TransitionError({"stage": [_("A closed improvement has no next stage.")]})
    if data:
        improvement = update_improvement(improvement, actor, data, expected_version)
        expected_version = improvement.version
    return transition_improvement(improvement, actor, to, {}, expected_version)


# --- measuring ---------------------------------------------------------------------------------------------

@transaction.atomic
def measure_now(improvement, actor, expected_version=None):
    """Re-measure "did we get there" (the API's measure action and the beat job); refused before action."""
    improvement = core_services._lock(improvement, expected_version)
    if improvement.state not in measuring.MEASURED_STAGES:
        raise TransitionError({"stage": [_("The result is measured from the start of action until the "
                                           "improvement closes.")]})
    if not improvement.metric_name or improvement.baseline_captured_at is None:
        raise TransitionError({"metric": [_("There is no measured baseline to compare with.")]})
    changes = measuring.measure_result(improvement)
    if not changes:  # the same figures: only the time of measuring moves
        Improvement.objects.filter(pk=improvement.pk).update(result_measured_at=improvement.result_measured_at)
        return improvement
    return core_services._save(improvement, actor, AuditAction.UPDATED, changes)


# --- the manager's rank ---------------------------------------------------------------------------------------

@transaction.atomic
def set_rank(improvement, actor, rank, reason, expected_version=None):
    """Put an open improvement at `rank` in the register (None: back to its score's place), with the reason."""
    if not permissions.is_manager(actor):
        raise PermissionDeniedError(_("Only managers can override the register's ranking."))
    reason = (reason or "").strip()
    if rank is not None and (not isinstance(rank, int) or rank < 1):
        raise ValidationError({"rank": [_("Enter a whole number from 1.")]})
    if not reason:
        raise ValidationError({"reason": [_("Say why the rank is set by hand.")]})
    if improvement.state == CLOSED:
        raise ValidationError({"rank": [_("A closed improvement is no longer ranked.")]})
    improvement = core_services._lock(improvement, expected_version)
    changes = core_services._apply(improvement, {"rank_override": rank, "rank_reason": reason})
    return core_services._save(improvement, actor, AuditAction.UPDATED, changes)


# --- tasks ----------------------------------------------------------------------------------------------------

TASK_FIELDS = ("title", "owner", "due_date")


def _task_label(task):
    owner = f" → {task.owner.get_full_name() or task.owner.username}" if task.owner_id else ""
    due = f" ({task.due_date.isoformat()})" if task.due_date else ""
    return f"{task.title}{owner}{due}"


@transaction.atomic
def save_task(improvement, actor, data, task=None):
    """Add a task to the improvement (or change one of its tasks); `done` true marks it done."""
    if improvement.state == CLOSED:
        raise ValidationError({"title": [_("A closed improvement cannot be changed.")]})
    task = task or ImprovementTask(improvement=improvement)
    before = _task_label(task) if task.pk else None
    was_done = task.done_at is not None
    for name in TASK_FIELDS:
        if name in data:
            setattr(task, name, data[name])
    if "done" in data:
        task.done_at = (task.done_at or timezone.now()) if data["done"] else None
    if task.owner_id and not permissions.is_agent(task.owner):
        raise ValidationError({"owner": [_("Only service desk staff can own a task.")]})
    task.full_clean(exclude=["improvement"])
    task.save()
    changes = {}
    if before != _task_label(task):
        changes["improvement_task"] = [before, _task_label(task)]
    if was_done != (task.done_at is not None):
        changes["improvement_task_done"] = [task.title if was_done else None, None if was_done else task.title]
    if changes:
        core_services._audit(improvement, actor, AuditAction.UPDATED, changes)
        core_services.bump_version(improvement)
    return task


@transaction.atomic
def delete_task(task, actor):
    improvement = task.improvement
    if improvement.state == CLOSED:
        raise ValidationError({"title": [_("A closed improvement cannot be changed.")]})
    core_services._audit(improvement, actor, AuditAction.UPDATED, {"improvement_task": [_task_label(task), None]})
    task.delete()
    core_services.bump_version(improvement)


# --- quarter budgets -------------------------------------------------------------------------------------------

@transaction.atomic
def save_budget(actor, data, budget=None):
    if not permissions.is_manager(actor):
        raise PermissionDeniedError(_("Only managers can set improvement budgets."))
    budget = budget or QuarterBudget()
    for name in ("quarter", "budget", "capacity_days", "notes"):
        if name in data:
            setattr(budget, name, data[name])
    budget.quarter = (budget.quarter or "").strip().upper().replace("-Q", "Q")
    if not measuring.valid_quarter(budget.quarter):
        raise ValidationError({"quarter": [_("Enter a quarter as 2026Q3.")]})
    budget.full_clean()
    budget.save()
    return budget


def quarter_of(day):
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def current_quarter():
    return quarter_of(timezone.localdate())

