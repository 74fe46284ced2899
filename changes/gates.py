"""What a change needs before each move; `check` returns the refusal, saying what is missing, or None."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from . import workflow
from .models import FAILED_OUTCOMES, ChangeType


def _has_window(change, data):
    return (data.get("planned_start") or change.planned_start) and (data.get("planned_end") or change.planned_end)


def _authorised(change):
    return change.change_type == ChangeType.STANDARD or change.authorised_at is not None


def review_required(change):
    """Emergency and failed changes, and those whose model says so, need a post-implementation review."""
    return (change.review_required or change.change_type == ChangeType.EMERGENCY
            or change.outcome in FAILED_OUTCOMES or bool(change.model_id and change.model.requires_review))


def _waiting_for(change):
    from core.approval_models import ApprovalStage

    stage = ApprovalStage.objects.filter(ticket=change, state=ApprovalStage.State.OPEN).order_by("order").first()
    return stage.name if stage and stage.name else ""


def _not_authorised(change):
    waiting = _waiting_for(change)
    if waiting:
        return _("This change is not authorised yet: it is waiting for “%(stage)s”.") % {"stage": waiting}
    return _("This change is not authorised yet: request authorisation from its change authority first.")


def _no_authority(change):
    """A normal change needs its change model; an emergency one its model or an emergency CAB."""
    if change.model_id:
        return None
    if change.change_type == ChangeType.EMERGENCY:
        from .models import ChangeAdvisoryBoard

        if ChangeAdvisoryBoard.objects.filter(emergency=True).exists():
            return None
        return _("No change model or emergency CAB names who authorises this emergency change.")
    return _("This change has no change model: nobody is named to authorise it.")


def _inside_lead_time(change, data):
    """A normal change is raised at least its model's lead time before its planned start."""
    days = change.model.lead_time_days if change.model_id and change.change_type == ChangeType.NORMAL else 0
    start = data.get("planned_start") or change.planned_start
    if days and start and start < timezone.now() + timedelta(days=days):
        return _("Its change model asks for %(days)d days between requesting authorisation and the planned start: "
                 "move the window, or raise it as an emergency change.") % {"days": days}
    return None


def check(change, to, data):
    if to == workflow.ASSESS and change.change_type == ChangeType.STANDARD:
        return _("A standard change is pre-authorised: it needs no assessment.")
    if to == workflow.AUTHORIZE:
        if change.change_type == ChangeType.STANDARD:
            return _("A standard change is pre-authorised: it needs no authorisation.")
        missing_authority = _no_authority(change)
        if missing_authority:
            return missing_authority
        early = _inside_lead_time(change, data)
        if early:
            return early
        if change.change_type == ChangeType.NORMAL and change.risk_level is None:
            return _("Assess the change's risk before requesting authorisation.")
        if change.change_type == ChangeType.NORMAL and not (change.implementation_plan and change.backout_plan):
            return _("Write the implementation and back-out plans before requesting authorisation.")
    if to == workflow.SCHEDULED:
        if not _authorised(change):
            return _not_authorised(change)
        if not _has_window(change, data):
            return _("Give the planned start and end before scheduling the change.")
    if to == workflow.IMPLEMENT:
        if not _authorised(change):
            return _not_authorised(change)
        if not _has_window(change, {}):
            return _("Give the planned start and end before implementing the change.")
    if to == workflow.CLOSED and review_required(change) and not (data.get("review_notes") or change.review_notes):
        return _("Record the post-implementation review before closing: it is required for emergency and failed "
                 "changes.")
    return None
