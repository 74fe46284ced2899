"""Every write to a change: raising it (from a template for standard changes), editing its plans, CIs and
services (re-assessing its risk), and moving it through the gates of its lifecycle."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import services as core_services
from core.models import AuditAction, Channel
from core.workflow import TransitionError

from . import authority, gates, risk, templates, workflow
from .models import Change, ChangeCI, ChangeModel, ChangeService, ChangeType

FIXED_AFTER_CREATE = ("change_type", "template")
# A standard change is done as its template says: its procedure is the template's, assessed once.
STANDARD_PROCEDURE = ("implementation_plan", "backout_plan", "test_plan", "configuration_items", "services",
                      "configuration_item", "risk_answers")
CLOCK_SKEW = timedelta(minutes=5)
RELATIONS = ("configuration_items", "services")
# Fields whose change asks for a new risk assessment.
REASSESS = {"configuration_items", "services", "planned_start", "planned_end", "risk_answers", "configuration_item",
            "service"}


def default_model(change_type):
    """The active change model for a change type (the newest version), or None."""
    return ChangeModel.objects.filter(change_type=change_type, active=True).order_by("name", "-version").first()


def _check_window(start, end):
    if (start is None) != (end is None):
        field = "planned_end" if start else "planned_start"
        raise ValidationError({field: [_("Give both the planned start and the planned end.")]})
    if start and end <= start:
        raise ValidationError({"planned_end": [_("The planned end must be after the planned start.")]})


def sync_windows(change):
    """Copy the change's planned window and whether it is still open onto its CI and service rows (the conflict
    query reads those)."""
    active = change.state not in workflow.WORKFLOW.closed_states
    fields = {"planned_start": change.planned_start, "planned_end": change.planned_end, "active": active}
    ChangeCI.objects.filter(change=change).update(**fields)
    ChangeService.objects.filter(change=change).update(**fields)


def _set_relations(change, actor, relations):
    """Set the CIs and services given in `relations`; one audit entry with what changed. True when changed."""
    changes = {}
    for name, values in relations.items():
        new = sorted({getattr(value, "pk", value) for value in values})
        if name == "configuration_items":
            old = sorted(ChangeCI.objects.filter(change=change).values_list("configuration_item_id", flat=True))
            if old != new:
                ChangeCI.objects.filter(change=change).exclude(configuration_item_id__in=new).delete()
                ChangeCI.objects.bulk_create([ChangeCI(change=change, configuration_item_id=pk) for pk in new
                                              if pk not in old])
        else:
            old = sorted(change.services.values_list("pk", flat=True))
            if old != new:
                change.services.set(new)
        if old != new:
            changes[name] = [old, new]
    if changes:
        core_services._audit(change, actor, AuditAction.UPDATED, changes)
    return bool(changes)


@transaction.atomic
def create_change(actor, data):
    """A change of data["change_type"] (normal by default). A standard change comes from a published template
    (templates.apply fills its plans, CIs and risk) and is scheduled at once, pre-authorised."""
    data = dict(data)
    data.setdefault("channel", Channel.PORTAL)
    data.setdefault("change_type", ChangeType.STANDARD if data.get("template") else ChangeType.NORMAL)
    relations = {name: data.pop(name) for name in RELATIONS if name in data}
    answers = data.pop("risk_answers", None)
    template = data.get("template")
    if data["change_type"] == ChangeType.STANDARD:
        if template is None:
            raise ValidationError({"template": [_("A standard change is raised from a published template.")]})
        for name in ("implementation_plan", "backout_plan", "test_plan"):
            data.pop(name, None)
        answers = None
        if relations.get("configuration_items"):
            templates.check_cis(template, relations["configuration_items"])
        data, relations = templates.apply(template, data, relations)
    elif template is not None:
        raise ValidationError({"template": [_("Only standard changes are raised from a template.")]})
    if data.get("model") is None:
        data["model"] = default_model(data["change_type"])
    _check_window(data.get("planned_start"), data.get("planned_end"))
    if answers is not None:
        data["risk_answers"] = risk.clean_answers(answers)
    data["review_required"] = data["change_type"] == ChangeType.EMERGENCY or bool(
        data["model"] and data["model"].requires_review)
    if data["change_type"] == ChangeType.STANDARD:
        data["state"] = workflow.SCHEDULED
        data["authorised_at"] = timezone.now()
    change = core_services.create_ticket(Change, actor, data)
    _set_relations(change, actor, _with_primary_ci(change, relations))
    risk.assess(change, actor)
    sync_windows(change)
    return change


@transaction.atomic
def update_change(change, actor, data, expected_version=None):
    data = dict(data)
    fixed = sorted(set(data) & set(FIXED_AFTER_CREATE))
    if fixed:
        raise ValidationError({name: [_("This cannot be changed after the change is raised.")] for name in fixed})
    if change.change_type == ChangeType.STANDARD:
        procedure = sorted(set(data) & set(STANDARD_PROCEDURE))
        if procedure:
            raise ValidationError({name: [_("A standard change is done as its template says; change the template "
                                            "(it is then assessed and authorised again) or raise a normal change.")]
                                   for name in procedure})
    relations = {name: data.pop(name) for name in RELATIONS if name in data}
    if "risk_answers" in data:
        data["risk_answers"] = risk.clean_answers(data["risk_answers"])
    _check_window(data.get("planned_start", change.planned_start), data.get("planned_end", change.planned_end))
    before = change.version
    change = core_services.update_ticket(change, actor, data, expected_version)
    if "configuration_item" in data or "configuration_items" in relations:
        relations = _with_primary_ci(change, relations)
    related = _set_relations(change, actor, relations)
    if related and change.version == before:
        core_services.bump_version(change)
    if related or REASSESS & data.keys():
        risk.assess(change, actor)
    sync_windows(change)
    return change


@transaction.atomic
def transition_change(change, actor, to, data=None, expected_version=None, comment="", internal_comment=False,
                      system=False):
    """Move a change through its gates (gates.check says what is missing). Requesting authorisation starts the
    approval stages its model and risk name (authority.start_authorisation); leaving authorisation cancels them."""
    data = dict(data or {})
    change = Change.objects.get(pk=change.pk)
    problem = gates.check(change, to, data)
    if problem:
        raise TransitionError({"to": [problem]})
    from_state = change.state
    now = timezone.now()
    if to == workflow.IMPLEMENT and not data.get("actual_start") and not change.actual_start:
        data["actual_start"] = now
    if to == workflow.REVIEW and not data.get("actual_end") and not change.actual_end:
        data["actual_end"] = now
    _check_actuals(change, data, now)
    change = core_services.transition_ticket(change, actor, to, data, expected_version, comment=comment,
                                             internal_comment=internal_comment, system=system)
    if to == workflow.REVIEW and gates.review_required(change) and not change.review_required:
        Change.objects.filter(pk=change.pk).update(review_required=True)
        change.review_required = True
        core_services._audit(change, actor, AuditAction.UPDATED, {"review_required": [False, True]})
    if from_state == workflow.AUTHORIZE and to != workflow.SCHEDULED:
        authority.cancel_authorisation(change, actor)
    if to == workflow.AUTHORIZE:
        authority.start_authorisation(change, actor)
    if to == workflow.CLOSED and change.review_notes and not change.reviewed_at:
        change.reviewed_at = now
        change.save(update_fields=["reviewed_at"])
        core_services._audit(change, actor, AuditAction.UPDATED, {"reviewed_at": [None, now.isoformat()]})
    sync_windows(change)
    return Change.objects.get(pk=change.pk)


def _with_primary_ci(change, relations):
    """The ticket's own configuration item is one of the change's CIs (conflicts and suggestions read those)."""
    if not change.configuration_item_id:
        return relations
    current = relations.get("configuration_items")
    if current is None:
        current = list(ChangeCI.objects.filter(change=change).values_list("configuration_item_id", flat=True))
    ids = {getattr(ci, "pk", ci) for ci in current}
    if change.configuration_item_id in ids:
        return relations
    return {**relations, "configuration_items": [*ids, change.configuration_item_id]}


def _check_actuals(change, data, now):
    """Actual start and end are instants that happened: not in the future, the end not before the start."""
    start = data.get("actual_start") or change.actual_start
    end = data.get("actual_end") or change.actual_end
    errors = {}
    for name, value in (("actual_start", data.get("actual_start")), ("actual_end", data.get("actual_end"))):
        if value and value > now + CLOCK_SKEW:
            errors[name] = [_("This is in the future.")]
    if start and end and end < start and "actual_end" not in errors:
        errors["actual_end"] = [_("The actual end must not be before the actual start.")]
    if errors:
        raise TransitionError(errors)
