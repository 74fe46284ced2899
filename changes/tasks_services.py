"""Implementation tasks of a change (ChangeTask): added, done or skipped; each write audited on the change."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import services as core_services
from core.models import AuditAction

from . import workflow
from .models import ChangeTask

FINISHED_STATES = frozenset(workflow.WORKFLOW.closed_states)


def _audit(change, actor, changes):
    core_services._audit(change, actor, AuditAction.UPDATED, changes)
    core_services.bump_version(change)


def _check_open(change):
    if change.state in FINISHED_STATES:
        raise ValidationError(_("This change is finished: its tasks can no longer be changed."))


@transaction.atomic
def add_task(change, actor, data):
    """A task {title, team, assignee (a member of the team), notes?} at the end of the change's list."""
    _check_open(change)
    data = dict(data)
    team, assignee = data.get("team"), data.get("assignee")
    if assignee is not None and team is None:
        raise ValidationError({"team": [_("Choose the team the assignee works in.")]})
    if assignee is not None and not team.members.filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": [_("The assignee must be a member of the task's team.")]})
    last = ChangeTask.objects.filter(change=change).aggregate(last=Max("order"))["last"] or 0
    task = ChangeTask(change=change, order=last + 1, title=(data.get("title") or "").strip(), team=team,
                      assignee=assignee, notes=data.get("notes", ""))
    task.full_clean(exclude=["change"])
    task.save()
    _audit(change, actor, {"change_task": [None, f"{task.title} → {team.name}" if team else task.title]})
    return task


@transaction.atomic
def complete_task(task, actor, state=ChangeTask.State.DONE, notes=""):
    """Mark an open task done or skipped, with optional notes."""
    task = ChangeTask.objects.select_for_update().select_related("change").get(pk=task.pk)
    if state not in (ChangeTask.State.DONE, ChangeTask.State.SKIPPED):
        raise ValidationError({"state": [_("A task is finished as done or skipped.")]})
    if task.state != ChangeTask.State.OPEN:
        raise ValidationError({"task": [_("This task is already finished.")]})
    _check_open(task.change)
    task.state, task.completed_at = state, timezone.now()
    if notes.strip():
        task.notes = notes.strip()
    task.save(update_fields=["state", "notes", "completed_at"])
    _audit(task.change, actor, {"change_task_" + state: [task.title, task.notes or "✓"]})
    return task


def open_task_count(change):
    return ChangeTask.objects.filter(change=change, state=ChangeTask.State.OPEN).count()
