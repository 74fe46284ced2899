"""CAB meetings: a board's meeting, its agenda built from the changes awaiting the board (in authorisation with
an open stage the board owns), minutes, and a decision per change. Approving or rejecting settles the board's
stage on the change (core.approvals.settle_stage), so the change is authorised or rejected as by its
approvers; deferring leaves the stage open for a later meeting. Every decision is audited on the change.

Managers and change authorities create meetings; they, the board's chair and its members record them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core import approvals, permissions
from core import services as core_services
from core.models import ApprovalStage, AuditAction
from core.services import PermissionDeniedError

from . import workflow
from .authority_models import AuthorisationStage
from .models import AgendaItem, CabMeeting, Change, ChangeAdvisoryBoard

DECISIONS = (AgendaItem.Decision.APPROVED, AgendaItem.Decision.REJECTED, AgendaItem.Decision.DEFERRED)
FINAL_DECISIONS = (AgendaItem.Decision.APPROVED, AgendaItem.Decision.REJECTED)


# --- who may -----------------------------------------------------------------------------------------------

def can_record(user, meeting):
    """Minutes and decisions: managers, change authorities, the board's chair and members."""
    if permissions.is_change_authority(user):
        return True
    board = meeting.board
    return bool(user and user.is_authenticated and permissions.is_agent(user) and (
        board.chair_id == user.pk or board.members.filter(pk=user.pk).exists()))


def _require(allowed):
    if not allowed:
        raise PermissionDeniedError(_("Only managers, change authorities and the board's members may do this."))


# --- reads -------------------------------------------------------------------------------------------------

def meetings():
    return CabMeeting.objects.select_related("board").annotate(item_count=Count("agenda"))


def open_board_stages(board):
    return AuthorisationStage.objects.filter(board=board, stage__state=ApprovalStage.State.OPEN)


def awaiting(board):
    """The changes awaiting `board`: in authorisation with an open stage it owns, oldest request first."""
    owned = open_board_stages(board).filter(change_id=OuterRef("pk"))
    return (Change.objects.filter(kind=Change.TICKET_KIND, state=workflow.AUTHORIZE).filter(Exists(owned))
            .order_by("planned_start", "id"))


def agenda(meeting):
    """The meeting's agenda rows with their change (team, model) and each change's schedule conflicts."""
    items = list(meeting.agenda.select_related("change__team", "change__model", "decided_by").order_by("order", "id"))
    changes = [item.change for item in items]
    conflicts = _conflicts(changes)
    for item in items:
        item.conflicts = conflicts.get(item.change_id, [])
    return items


def _conflicts(changes):
    windows = [(c.planned_start, c.planned_end) for c in changes if c.planned_start and c.planned_end]
    if not windows:
        return {}
    from . import conflicts

    found = conflicts.for_changes(changes)
    return {c.pk: found.get(c.pk, []) for c in changes}


# --- writes ------------------------------------------------------------------------------------------------

@transaction.atomic
def create_meeting(actor, data):
    """data: board, title, starts_at, optional ends_at, location. ValidationError with field messages."""
    _require(permissions.is_change_authority(actor))
    board, starts_at, ends_at = data.get("board"), data.get("starts_at"), data.get("ends_at")
    errors = {}
    if not isinstance(board, ChangeAdvisoryBoard):
        errors["board"] = [_("Choose a board.")]
    if not starts_at:
        errors["starts_at"] = [_("Give the meeting's start.")]
    elif ends_at and ends_at <= starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    if errors:
        raise ValidationError(errors)
    title = (data.get("title") or "").strip() or _("%(board)s meeting") % {"board": board.name}
    return CabMeeting.objects.create(board=board, title=title[:200], starts_at=starts_at, ends_at=ends_at,
                                     location=(data.get("location") or "")[:200])


@transaction.atomic
def build_agenda(meeting, actor):
    """Add the changes awaiting the meeting's board that are not on its agenda yet. Returns how many."""
    meeting = CabMeeting.objects.select_for_update().select_related("board").get(pk=meeting.pk)
    _require(can_record(actor, meeting))
    present = set(meeting.agenda.values_list("change_id", flat=True))
    last = max(meeting.agenda.values_list("order", flat=True), default=0)
    new = [change for change in awaiting(meeting.board) if change.pk not in present]
    AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting, change=change, order=last + i)
                                    for i, change in enumerate(new, start=1)])
    return len(new)


@transaction.atomic
def save_minutes(meeting, actor, minutes, held=None):
    meeting = CabMeeting.objects.select_for_update().select_related("board").get(pk=meeting.pk)
    _require(can_record(actor, meeting))
    meeting.minutes = minutes or ""
    fields = ["minutes"]
    if held:
        meeting.state = CabMeeting.State.HELD
        fields.append("state")
        if not meeting.ends_at:
            meeting.ends_at = max(timezone.now(), meeting.starts_at)
            fields.append("ends_at")
    meeting.save(update_fields=fields)
    return meeting


def mark_held(meeting, actor):
    return save_minutes(meeting, actor, meeting.minutes, held=True)


@transaction.atomic
def decide(meeting, actor, change, decision, notes=""):
    """Record the board's decision on a change of the agenda. Approved / rejected (notes are the reason, required)
    settle the board's open stage on the change; deferred keeps it waiting (only while that stage is open). An
    item already approved or rejected is not decided again. ValidationError with field messages;
    PermissionDeniedError when the actor raised the change, is its assignee or its requester."""
    meeting = CabMeeting.objects.select_related("board").get(pk=meeting.pk)
    _require(can_record(actor, meeting))
    notes = (notes or "").strip()
    change_id = getattr(change, "pk", change)
    item = (AgendaItem.objects.select_for_update().filter(meeting=meeting, change_id=change_id).first()
            if change_id else None)
    errors = {}
    if item is None:
        errors["change"] = [_("This change is not on the meeting's agenda.")]
    if item is not None and item.decision in FINAL_DECISIONS:
        errors["decision"] = [_("The board already decided on this change: %(decision)s.") % {
            "decision": item.get_decision_display()}]
    elif decision not in DECISIONS:
        errors["decision"] = [_("Choose approved, rejected or deferred.")]
    elif decision == AgendaItem.Decision.REJECTED and not notes:
        errors["notes"] = [_("Give the reason for the rejection.")]
    if errors:
        raise ValidationError(errors)
    change = Change.objects.get(pk=change_id)
    if actor.pk in {change.created_by_id, change.assignee_id, change.requester_id}:
        raise PermissionDeniedError(_("Nobody decides on their own change: it was raised by, is assigned to or "
                                      "was requested by you."))
    link = (open_board_stages(meeting.board).filter(change_id=change.pk).select_related("stage")
            .order_by("stage__order", "stage_id").first())
    if link is None:
        raise ValidationError({"change": [_("%(number)s is not waiting for %(board)s any more.") % {
            "number": change.number, "board": meeting.board.name}]})
    if decision != AgendaItem.Decision.DEFERRED:
        approvals.settle_stage(link.stage, actor, decision == AgendaItem.Decision.APPROVED,
                               notes or _("Approved by %(board)s.") % {"board": meeting.board.name})
    item.decision, item.notes, item.decided_by, item.decided_at = decision, notes, actor, timezone.now()
    item.save(update_fields=["decision", "notes", "decided_by", "decided_at"])
    changes = {"cab_meeting": [None, meeting.title], "cab_decision": [None, decision], "meeting_id": meeting.pk}
    if notes:
        changes["notes"] = [None, notes]
    core_services._audit(change, actor, AuditAction.APPROVAL, changes)
    if decision == AgendaItem.Decision.DEFERRED:
        core_services.bump_version(change)
    return item
