"""Approvals of any ticket kind: open a stage of approvers under a rule, decide, and tell the kind the outcome
(hooks.register_approval_listener). Every write is audited on the ticket and bumps its version.

- Rules: "any" (one approval), "all" (every approver), "n_of_m" (`required` approvals, clamped to the number
  of approvers). The stage is approved when enough approvals are in, rejected as soon as the rule can no
  longer be met (under "all": the first rejection). Then the remaining pending approvals are skipped and the
  kind's listener runs, once: the stage row is locked while an approval is decided.
- The ticket's requester never approves: left out at start, refused (PermissionDeniedError) when deciding.
- A kind hidden from requesters (hooks.TicketKind.requester_visible False) is approved by staff only: other
  approvers are left out at start, a delegate who is not staff is ignored, and only staff may decide.
- Delegation (ApprovalDelegation, the server's date): a delegation covering the start day replaces the approver
  (`on_behalf_of` keeps who delegated); one covering the day of the decision lets the delegate decide an
  approval asked before it (`decided_by` is the delegate, `approver` stays).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import hooks, notifications, permissions
from .models import (Approval, ApprovalDelegation, ApprovalRule, ApprovalStage, AuditAction, NotificationEvent,
                     Ticket)
from .services import PermissionDeniedError, _audit, bump_version


def _name(user):
    return (user.get_full_name() or user.username) if user else None


def _today():
    return timezone.localdate()


def active_delegations(today=None):
    """Delegations covering `today` (the server's date)."""
    today = today or _today()
    return ApprovalDelegation.objects.filter(starts_on__lte=today, ends_on__gte=today)


def required_approvals(rule, required, count):
    """How many approvals a stage of `count` approvers needs under `rule`."""
    if rule == ApprovalRule.ALL:
        return count
    if rule == ApprovalRule.N_OF_M:
        return max(1, min(int(required or 1), count))
    return 1


def stage_label(stage):
    return stage.name or _("Approval stage %(order)s") % {"order": stage.order}


# --- opening a stage -------------------------------------------------------------------------------------

def staff_only(ticket):
    """True when the ticket's kind is hidden from requesters (a change, a problem): only service desk staff may
    approve it, or decide for an approver."""
    return getattr(ticket, "kind", None) in hooks.requester_hidden_kinds()


def _resolve_approvers(ticket, approvers):
    """[(approver, on_behalf_of or None)]: active users, the requester left out, delegates in place of those
    away today (unless the delegate is inactive or the requester), without duplicates. On a kind hidden from
    requesters only staff approve: other approvers are left out, and a delegate who is not staff is ignored
    (the approver keeps the approval)."""
    ids = list(dict.fromkeys(getattr(user, "pk", user) for user in approvers if user is not None))
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(pk=ticket.requester_id or 0)
    users = {user.pk: user for user in users.select_related("profile")}
    internal = staff_only(ticket)
    if internal:
        permissions.preload_roles(list(users.values()))
        users = {pk: user for pk, user in users.items() if permissions.is_agent(user)}
    delegates = {}
    for delegation in active_delegations().filter(user_id__in=list(users)).select_related(
            "delegate__profile").order_by("-created_at", "-id"):
        delegate = delegation.delegate
        if not delegate.is_active or delegate.pk == ticket.requester_id:
            continue
        if internal and not permissions.is_agent(delegate):
            continue
        delegates.setdefault(delegation.user_id, delegate)
    chosen = {}
    for pk in ids:
        if pk not in users:
            continue
        delegate = delegates.get(pk)
        pair = (delegate, users[pk]) if delegate else (users[pk], None)
        chosen.setdefault((pair[0].pk, getattr(pair[1], "pk", None)), pair)
    return list(chosen.values())


def _request_notice(ticket, approval):
    from .notification_rules import _message

    def render(user):
        text = _("%(number)s: your approval is asked for") % {"number": ticket.number}
        detail = _("On behalf of %(name)s, who is away.") % {"name": _name(approval.on_behalf_of)} \
            if approval.on_behalf_of_id else ""
        return _message(ticket, text, detail)

    return notifications.Notice(approval.approver, NotificationEvent.APPROVAL_REQUESTED, ticket, render)


@transaction.atomic
def start_stage(ticket, actor, approvers, rule="any", required=1, name="", order=1, bump=True):
    """Open an approval stage on `ticket` for `approvers` (users). The ticket's requester never approves
    their own ticket and is left out; an approver with a delegation covering today is replaced by the delegate
    (on_behalf_of kept). Each approver is notified. Returns the ApprovalStage. bump=False: part of a write of
    the ticket in this transaction (its creation, a decision) that already bumps its version.
    ValidationError ("approvers") when nobody is left to approve: the kind decides its fallback."""
    if rule not in ApprovalRule.values:
        raise ValidationError({"rule": _("Unknown approval rule.")})
    pairs = _resolve_approvers(ticket, approvers)
    if not pairs and staff_only(ticket):
        raise ValidationError({"approvers": _("Nobody can approve this: no active service desk approver other "
                                              "than the requester.")})
    if not pairs:
        raise ValidationError({"approvers": _("Nobody can approve this: no active approver other than the "
                                              "requester.")})
    now = timezone.now()
    stage = ApprovalStage.objects.create(ticket_id=ticket.pk, order=order, name=(name or "")[:150], rule=rule,
                                         required=required_approvals(rule, required, len(pairs)), opened_at=now)
    approvals = Approval.objects.bulk_create([
        Approval(stage=stage, ticket_id=ticket.pk, approver=approver, on_behalf_of=behalf, created_at=now)
        for approver, behalf in pairs])
    names = ", ".join(_("%(delegate)s (for %(approver)s)") % {"delegate": _name(a), "approver": _name(b)}
                      if b else _name(a) for a, b in pairs)
    _audit(ticket, actor, AuditAction.APPROVAL, {
        "approval_stage": [None, ApprovalStage.State.OPEN], "approval_step": [None, stage_label(stage)],
        "approvers": [None, names], "approval_rule": [None, rule], "stage_id": stage.pk})
    if bump:
        bump_version(ticket)
    notifications.send([_request_notice(ticket, approval) for approval in approvals], actor)
    return stage


# --- deciding ------------------------------------------------------------------------------------------------

def _concrete(ticket):
    """The kind's own model instance of a ticket row (what the kind's listener expects)."""
    kind = hooks.ticket_kinds.get(ticket.kind)
    if kind is None or isinstance(ticket, kind.model):
        return ticket
    return kind.model.objects.get(pk=ticket.pk)


def may_decide(approval, user, ticket=None):
    """The approver, or someone the approver delegated to for today. Never the ticket's requester; on a kind
    hidden from requesters, only staff."""
    if user is None or not user.is_authenticated:
        return False
    ticket = ticket if ticket is not None else Ticket.objects.only("kind").get(pk=approval.ticket_id)
    if staff_only(ticket) and not permissions.is_agent(user):
        return False
    if user.pk == approval.approver_id:
        return True
    return active_delegations().filter(user_id=approval.approver_id, delegate_id=user.pk).exists()


def _outcome(stage):
    """ApprovalStage.State.APPROVED / REJECTED when the rule is met or can no longer be met, else None."""
    states = list(Approval.objects.filter(stage_id=stage.pk).values_list("state", flat=True))
    needed = required_approvals(stage.rule, stage.required, len(states))
    approved = states.count(Approval.State.APPROVED)
    rejected = states.count(Approval.State.REJECTED)
    if approved >= needed:
        return ApprovalStage.State.APPROVED
    if rejected > len(states) - needed:
        return ApprovalStage.State.REJECTED
    return None


@transaction.atomic
def decide(approval, user, approve, comment=""):
    """`user` approves or rejects `approval` (theirs, or delegated to them). Raises PermissionDeniedError for
    anyone else and for the ticket's requester, ValidationError when already decided (or the stage is closed,
    or a rejection has no comment). When the stage's rule is met (or can no longer be met) the stage is
    decided, the remaining approvals are skipped and the kind's approval listener is called with
    (ticket, stage, approved: bool, actor, comment). Returns the approval."""
    comment = (comment or "").strip()
    # The ticket's row first, then the stage's: the order every write of the ticket takes (a cancel locks the
    # ticket, then its stages), so a decision and a cancel queue instead of deadlocking; one decider at a time.
    ticket = Ticket.objects.select_for_update().get(pk=approval.ticket_id)
    stage = ApprovalStage.objects.select_for_update().get(pk=approval.stage_id)
    approval = Approval.objects.select_related("approver", "on_behalf_of").get(pk=approval.pk)
    if user.pk == ticket.requester_id:
        raise PermissionDeniedError(_("Nobody approves their own request."))
    if not may_decide(approval, user, ticket):
        raise PermissionDeniedError(_("This approval is not yours to decide."))
    if stage.state != ApprovalStage.State.OPEN:
        raise ValidationError({"approval": _("This approval stage is already closed.")})
    if approval.state != Approval.State.PENDING:
        raise ValidationError({"approval": _("This approval was already decided.")})
    if not approve and not comment:
        raise ValidationError({"comment": _("Give a reason for the rejection.")})
    now = timezone.now()
    approval.state = Approval.State.APPROVED if approve else Approval.State.REJECTED
    approval.comment, approval.decided_by, approval.decided_at = comment, user, now
    approval.save(update_fields=["state", "comment", "decided_by", "decided_at"])
    changes = {"approval": [None, approval.state], "approver": [None, _name(approval.approver)],
               "approval_id": approval.pk}
    if approval.on_behalf_of_id:
        changes["on_behalf_of"] = [None, _name(approval.on_behalf_of)]
    if user.pk != approval.approver_id:
        changes["decided_by"] = [None, _name(user)]
    if comment:
        changes["comment"] = [None, comment]
    _audit(ticket, user, AuditAction.APPROVAL, changes)
    outcome = _outcome(stage)
    if outcome:
        _close_stage(ticket, stage, user, outcome, now)
    bump_version(ticket)
    if outcome:
        listener = hooks.approval_listeners.get(ticket.kind)
        if listener is not None:
            listener(_concrete(ticket), stage, outcome == ApprovalStage.State.APPROVED, user, comment)
    approval.stage = stage
    return approval


def _close_stage(ticket, stage, actor, state, now, extra=None):
    """Decide or cancel the (locked) stage and skip what still waits in it; audited on the ticket."""
    stage.state, stage.decided_at = state, now
    stage.save(update_fields=["state", "decided_at"])
    Approval.objects.filter(stage_id=stage.pk, state=Approval.State.PENDING).update(state=Approval.State.SKIPPED)
    _audit(ticket, actor, AuditAction.APPROVAL, {"approval_stage": [ApprovalStage.State.OPEN, state],
                                                 "approval_step": [None, stage_label(stage)], "stage_id": stage.pk,
                                                 **(extra or {})})


@transaction.atomic
def settle_stage(stage, actor, approved, comment=""):
    """Decide a whole open stage at once (a board decided it in its meeting): its pending approvals are
    skipped, the stage approved or rejected, and the kind's listener called, as decide() finishes a stage.
    The caller checks that `actor` may speak for the stage. ValidationError when the stage is closed or a
    rejection has no reason. Locks the ticket, then the stage, like decide(). Returns the stage."""
    comment = (comment or "").strip()
    ticket = Ticket.objects.select_for_update().get(pk=stage.ticket_id)
    stage = ApprovalStage.objects.select_for_update().get(pk=stage.pk)
    if stage.state != ApprovalStage.State.OPEN:
        raise ValidationError({"approval": _("This approval stage is already closed.")})
    if not approved and not comment:
        raise ValidationError({"comment": _("Give a reason for the rejection.")})
    outcome = ApprovalStage.State.APPROVED if approved else ApprovalStage.State.REJECTED
    extra = {"settled_by": [None, _name(actor)]}
    if comment:
        extra["comment"] = [None, comment]
    _close_stage(ticket, stage, actor, outcome, timezone.now(), extra)
    bump_version(ticket)
    listener = hooks.approval_listeners.get(ticket.kind)
    if listener is not None:
        listener(_concrete(ticket), stage, approved, actor, comment)
    return stage


@transaction.atomic
def cancel_open_stages(ticket, actor, bump=True):
    """The ticket was cancelled: its open stages are cancelled and their pending approvals skipped.
    Returns how many stages were cancelled (no listener is called: the kind is the one cancelling).
    bump=False: part of the ticket's own write in this transaction, which already bumped its version."""
    stages = list(ApprovalStage.objects.select_for_update().filter(ticket_id=ticket.pk,
                                                                   state=ApprovalStage.State.OPEN))
    now = timezone.now()
    for stage in stages:
        _close_stage(ticket, stage, actor, ApprovalStage.State.CANCELLED, now)
    if stages and bump:
        bump_version(ticket)
    return len(stages)


# --- reading -----------------------------------------------------------------------------------------------

WAITING_RELATED = ("ticket", "ticket__requester", "stage", "approver", "on_behalf_of")


def waiting_for(user):
    """Pending approvals of open stages that `user` may decide now (their own and those delegated to them),
    newest first, with the ticket, its requester, the stage and the approvers joined."""
    if user is None or not user.is_authenticated:
        return Approval.objects.none()
    delegators = active_delegations().filter(delegate_id=user.pk).values("user_id")
    rows = (Approval.objects.filter(Q(approver_id=user.pk) | Q(approver_id__in=delegators),
                                    state=Approval.State.PENDING, stage__state=ApprovalStage.State.OPEN)
            .exclude(ticket__requester_id=user.pk))
    hidden = hooks.requester_hidden_kinds()
    if hidden and not permissions.is_agent(user):
        rows = rows.exclude(ticket__kind__in=hidden)
    return rows.select_related(*WAITING_RELATED).order_by("-id")



# --- delegation ----------------------------------------------------------------------------------------------

def delegate_choices(actor):
    """Whom `actor` may name as a delegate: staff any active user; anyone else only active users of their own
    organization (a requester never learns names outside it)."""
    users = get_user_model().objects.filter(is_active=True)
    if permissions.is_agent(actor):
        return users
    profile = getattr(actor, "profile", None)
    organization_id = profile.organization_id if profile else None
    return users.filter(profile__organization_id=organization_id) if organization_id else users.none()


@transaction.atomic
def create_delegation(actor, delegate, starts_on, ends_on, user=None):
    """`user` (default: the actor; only admins name someone else) is away from `starts_on` to `ends_on`
    (inclusive) and `delegate` approves for them. ValidationError with field messages."""
    user = user or actor
    if user.pk != actor.pk and not permissions.has_role(actor, permissions.ADMIN):
        raise PermissionDeniedError(_("You may only delegate your own approvals."))
    errors = {}
    delegate_id = getattr(delegate, "pk", delegate)
    if delegate_id is not None and delegate_id == user.pk:
        errors["delegate"] = [_("Approvals cannot be delegated to the approver themselves.")]
    elif delegate_id is None or not delegate_choices(actor).filter(pk=delegate_id).exists():
        errors["delegate"] = [_("Choose an active user.")]
    if starts_on and ends_on and starts_on > ends_on:
        errors["ends_on"] = [_("The last day cannot be before the first.")]
    elif ends_on and ends_on < _today():
        errors["ends_on"] = [_("The last day is in the past.")]
    if errors:
        raise ValidationError(errors)
    return ApprovalDelegation.objects.create(user=user, delegate_id=delegate_id, starts_on=starts_on,
                                             ends_on=ends_on)


def delegations_of(actor):
    """The delegations `actor` may see and remove: their own; admins every one."""
    rows = ApprovalDelegation.objects.select_related("user", "delegate")
    return rows if permissions.has_role(actor, permissions.ADMIN) else rows.filter(user_id=actor.pk)


@transaction.atomic
def delete_delegation(actor, delegation):
    """The one who delegated (or an admin) ends a delegation."""
    if delegation.user_id != actor.pk and not permissions.has_role(actor, permissions.ADMIN):
        raise PermissionDeniedError(_("You may only remove your own delegations."))
    delegation.delete()
