"""Who authorises a change: the steps of its change model (the version the change was raised under) whose risk
range [min_risk, max_risk] covers the change's risk level, asked in order through core.approvals, each after
the last was approved.

Approvers per step: peer (the active members of the change's team other than its assignee and creator), the
team's manager, a board (its members under the board's own rule and number), a named group (its members) or a
user; the change's requester never approves (core.approvals leaves them out). An emergency change without a
model goes to the emergency CAB (a board marked emergency), if there is one. Requesting authorisation when a
step has nobody to ask is refused, naming the step.

No step applies: the change is authorised at once. Every stage approved: authorised (authorised_at), then
scheduled by a system move; without a planned window it waits in authorisation, authorised, and is scheduled
when the window is given (changes.risk.assess calls schedule_if_authorised). A rejection rejects the change
with the approver's (or the board's) reason. Each stage's owner (step, board) is kept in AuthorisationStage
for the CAB agenda.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import approvals, permissions
from core import services as core_services
from core.models import ApprovalStage, AuditAction

from . import workflow
from .authority_models import AuthorisationStage
from .models import Authority, Change, ChangeAdvisoryBoard, ChangeType, RiskLevel


def _risk_label(level):
    return RiskLevel(level).label if level else _("not assessed")


def _step_name(step):
    if step.name:
        return step.name[:150]
    if step.authority == Authority.BOARD and step.board_id:
        return step.board.name[:150]
    if step.authority == Authority.GROUP and step.group_id:
        return step.group.name[:150]
    if step.authority == Authority.USER and step.user_id:
        return (step.user.get_full_name() or step.user.username)[:150]
    return str(step.get_authority_display())[:150]


def _entry(step=None, board=None):
    board = board or (step.board if step and step.authority == Authority.BOARD else None)
    if step is None:
        return {"step": None, "board": board, "authority": Authority.BOARD, "name": board.name[:150],
                "rule": board.rule, "required": board.required}
    return {"step": step, "board": board, "authority": step.authority, "name": _step_name(step),
            "rule": board.rule if board else step.rule, "required": board.required if board else step.required}


def model_steps(change):
    if not change.model_id:
        return []
    return list(change.model.steps.select_related("board", "group", "user").order_by("order", "id"))


def emergency_board():
    return ChangeAdvisoryBoard.objects.filter(emergency=True).order_by("id").first()


def plan(change):
    """The authorisation stages this change needs at its current risk, in order: [{"step", "board",
    "authority", "name", "rule", "required"}]."""
    if not change.model_id:
        board = emergency_board() if change.change_type == ChangeType.EMERGENCY else None
        return [_entry(board=board)] if board else []
    level = change.risk_level or RiskLevel.LOW
    return [_entry(step) for step in model_steps(change) if step.min_risk <= level <= step.max_risk]


def _active(users, change):
    """Active service desk staff, never those who raised or implement the change (nobody authorises their own)."""
    excluded = {change.requester_id, change.created_by_id, change.assignee_id}
    seen, result = set(), []
    for user in users:
        if (user is not None and user.is_active and user.pk not in excluded and user.pk not in seen
                and permissions.is_agent(user)):
            seen.add(user.pk)
            result.append(user)
    return result


def approvers_for(change, entry):
    """The users asked for one plan entry (see _active)."""
    authority, step = entry["authority"], entry["step"]
    if authority == Authority.BOARD:
        users = list(entry["board"].members.order_by("id")) if entry["board"] else []
    elif authority == Authority.PEER:
        users = [] if not change.team_id else list(
            change.team.members.exclude(pk__in=[pk for pk in (change.assignee_id, change.created_by_id) if pk])
            .order_by("id"))
    elif authority == Authority.TEAM_MANAGER:
        users = [change.team.manager] if change.team_id else []
    elif authority == Authority.GROUP:
        users = list(step.group.members.order_by("id")) if step.group_id else []
    else:
        users = [step.user] if step.user_id else []
    return _active(users, change)


def _note(change, actor, text):
    core_services.add_comment(change, actor if permissions.is_agent(actor) else None, text, internal=True)


def _load(change):
    return Change.objects.select_related("model", "team__manager").get(pk=change.pk)


def _open(change, actor, entries, index):
    entry = entries[index]
    stage = approvals.start_stage(change, actor, approvers_for(change, entry), rule=entry["rule"],
                                  required=entry["required"], name=entry["name"], order=index + 1, bump=False)
    AuthorisationStage.objects.create(stage=stage, change=change, step=entry["step"], board=entry["board"],
                                      position=index + 1)
    return stage


def clear_authorised(change, actor):
    """An authorisation that no longer holds: authorised_at cleared, audited."""
    if change.authorised_at:
        old, change.authorised_at = change.authorised_at, None
        change.save(update_fields=["authorised_at"])
        core_services._audit(change, actor, AuditAction.UPDATED, {"authorised_at": [old.isoformat(), None]})


def start_authorisation(change, actor):
    """Open the first approval stage; with no step to ask, the change is authorised at once. ValidationError
    ("to") when a step has nobody to ask."""
    change = _load(change)
    clear_authorised(change, actor)
    entries = plan(change)
    for entry in entries:
        if not approvers_for(change, entry):
            raise ValidationError({"to": [_("Nobody can authorise the step “%(step)s” of this change: it has no "
                                            "active approver other than the change's own people.")
                                          % {"step": entry["name"]}]})
    if not entries:
        if change.model_id:
            reason = _("No authorisation step of %(model)s applies at %(risk)s risk: the change is authorised "
                       "at once.") % {"model": change.model, "risk": _risk_label(change.risk_level)}
        else:
            reason = _("This change has no change model (nor is there an emergency CAB): it is authorised at "
                       "once.")
        _authorise(change, actor, reason)
        return None
    return _open(change, actor, entries, 0)


def cancel_authorisation(change, actor):
    """The change left authorisation (withdrawn, cancelled): its open stages are cancelled, and an authorisation
    given while it waited for its window no longer holds."""
    approvals.cancel_open_stages(change, actor, bump=False)
    change = Change.objects.get(pk=change.pk)
    clear_authorised(change, actor)


def _authorise(change, actor, reason=""):
    now = timezone.now()
    change.authorised_at = now
    change.save(update_fields=["authorised_at"])
    changes = {"authorised_at": [None, now.isoformat()]}
    if reason:
        changes["authorisation"] = [None, reason]
    core_services._audit(change, actor, AuditAction.UPDATED, changes)
    if not schedule_if_authorised(change, actor):
        _note(change, actor, _("Authorised. It is scheduled once its planned start and end are given."))


def schedule_if_authorised(change, actor):
    """An authorised change still awaiting authorisation (no stage open) moves to scheduled when it has its
    planned window. True when moved."""
    from .services import transition_change

    change = Change.objects.get(pk=change.pk)
    if (change.state != workflow.AUTHORIZE or not change.authorised_at or not change.planned_start
            or not change.planned_end
            or ApprovalStage.objects.filter(ticket_id=change.pk, state=ApprovalStage.State.OPEN).exists()):
        return False
    transition_change(change, actor, workflow.SCHEDULED, system=True)
    return True


def on_approval_decided(ticket, stage, approved, actor, comment):
    """An approval stage settled: open the next, or authorise (system move to scheduled), or reject."""
    from .services import transition_change

    change = _load(ticket)
    if change.state != workflow.AUTHORIZE:
        return
    if not approved:
        transition_change(change, actor, workflow.REJECTED,
                          {"rejection_reason": comment or _("Rejected by %(step)s.") % {
                              "step": approvals.stage_label(stage)}}, system=True)
        return
    link = AuthorisationStage.objects.filter(stage_id=stage.pk).first()
    position = link.position if link else stage.order
    entries = plan(change)
    if position < len(entries):
        _open(change, actor, entries, position)
        return
    _authorise(change, actor)


# --- the panel ---------------------------------------------------------------------------------------------

def _why(step, level):
    bounds = {"min": RiskLevel(step.min_risk).label, "max": RiskLevel(step.max_risk).label,
              "risk": _risk_label(level)}
    if level and step.min_risk <= level <= step.max_risk:
        return _("Asked: %(risk)s risk is within %(min)s to %(max)s.") % bounds
    return _("Not asked: %(risk)s risk is outside %(min)s to %(max)s.") % bounds


def panel_context(change, user=None):
    """For templates/changes/_authorisation_panel.html: the model and version, which steps apply at this
    risk and why, and each stage's status (the approvers' decisions are in the approvals panel)."""
    level = change.risk_level
    steps = []
    for step in model_steps(change):
        steps.append({"order": step.order, "name": _step_name(step), "authority": step.get_authority_display(),
                      "rule": step.get_rule_display(), "required": step.required,
                      "applies": bool(level) and step.min_risk <= level <= step.max_risk,
                      "why": _why(step, level)})
    board = emergency_board() if not change.model_id and change.change_type == ChangeType.EMERGENCY else None
    links = {link.stage_id: link for link in AuthorisationStage.objects.filter(change_id=change.pk)
             .select_related("board")}
    stages = []
    for stage in ApprovalStage.objects.filter(ticket_id=change.pk).order_by("opened_at", "id"):
        approvals_in = list(stage.approvals.values_list("state", flat=True))
        link = links.get(stage.pk)
        stages.append({"name": approvals.stage_label(stage), "state": stage.state,
                       "state_label": stage.get_state_display(), "rule": stage.get_rule_display(),
                       "required": stage.required, "approved": approvals_in.count("approved"),
                       "approvers": len(approvals_in), "board": link.board.name if link and link.board else "",
                       "opened_at": stage.opened_at, "decided_at": stage.decided_at})
    return {"authority": {"model": change.model, "standard": change.change_type == ChangeType.STANDARD,
                          "risk_label": _risk_label(level), "steps": steps, "emergency_board": board,
                          "stages": stages, "authorised_at": change.authorised_at,
                          "waiting": next((s["name"] for s in stages if s["state"] == "open"), "")}}
