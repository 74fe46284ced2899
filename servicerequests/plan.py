"""A request's fulfilment plan, from its catalogue item: approval steps in order, then tasks by stage.

Approvals. Each ApprovalStep opens one stage (core.approvals.start_stage) of approvers resolved here:
the requester's manager (Profile.manager), the service owner (slm Service.owner), the active members of a named
group (core.Team) or a user. The requester never approves their own request, so they are left out. When nobody
is left, the stage goes to the service owner instead, then to the item's fulfilment team's manager, then to that
team's active members; when still nobody can approve (the requester is all of them), the step is skipped with a
work note on the request saying so. Approved: the next step opens, and after the last the request moves to
fulfilment (a "system" transition). Rejected: the request is rejected, the approver's comment its reason.

Tasks. Entering fulfilment creates a task (TASK…) per TaskTemplate: the first stage's open, later stages' pending
("waiting for an earlier stage", their SLA timers paused). When every task of the current stage is done or
cancelled the next stage's tasks start; when none remain the request is fulfilled, its notes listing the tasks'
completion notes (and the requester gets the satisfaction survey, slm.surveys). A request with no task templates
(a request for information) stays in fulfilment until an agent marks it fulfilled, even when an agent added
tasks to it by hand. Tasks are created and started
by the plan: audited with the acting agent, or with no actor when a requester or approver set it off.
"""

from django.utils.translation import gettext as _

from core import approvals, hooks, permissions
from core import services as core_services
from core.models import Profile

from . import queries, workflow
from .expected import expected_fulfilment
from .models import ApproverType, ServiceRequest, Task


def approval_steps(item):
    """The item's approval steps in order (none when it needs no approval)."""
    return list(item.approval_steps.select_related("group", "user").order_by("order", "id")) \
        if item.needs_approval else []


def _active(users, requester_id):
    seen, result = set(), []
    for user in users:
        if user is not None and user.is_active and user.pk != requester_id and user.pk not in seen:
            seen.add(user.pk)
            result.append(user)
    return result


def _team_approvers(team, requester_id):
    if team is None:
        return []
    return _active([team.manager], requester_id) or _active(team.members.order_by("id"), requester_id)


def approvers_for(request, step):
    """The users who decide `step` for `request` (see the module's docstring for the fallbacks)."""
    item, requester_id = request.catalog_item, request.requester_id
    if step.approver == ApproverType.REQUESTER_MANAGER:
        profile = Profile.objects.filter(user_id=request.requester_id).select_related("manager").first()
        users = [profile.manager if profile else None]
    elif step.approver == ApproverType.SERVICE_OWNER:
        users = [item.service.owner]
    elif step.approver == ApproverType.GROUP:
        users = list(step.group.members.filter(is_active=True).order_by("id")) if step.group_id else []
    else:
        users = [step.user]
    return (_active(users, requester_id) or _active([item.service.owner], requester_id)
            or _team_approvers(item.team, requester_id))


def _step_name(step):
    if step.approver == ApproverType.GROUP and step.group_id:
        return step.group.name[:150]
    if step.approver == ApproverType.USER and step.user_id:
        return (step.user.get_full_name() or step.user.username)[:150]
    return str(step.get_approver_display())[:150]


def _plan_actor(actor):
    return actor if actor is not None and permissions.is_agent(actor) else None


def start_approvals(request, actor, index=0):
    """Open the approval stage of step `index` (0-based); steps nobody can approve are skipped. When no step is
    left, the request moves on to fulfilment."""
    steps = approval_steps(request.catalog_item)
    for position in range(index, len(steps)):
        step = steps[position]
        approvers = approvers_for(request, step)
        if approvers:
            approvals.start_stage(request, actor, approvers, rule=step.rule, required=step.required,
                                  name=_step_name(step), order=position + 1, bump=False)
            return
        core_services.add_comment(request, _plan_actor(actor), _(
            "Nobody but the requester could approve step %(order)d (%(name)s); the step was skipped.") % {
            "order": position + 1, "name": _step_name(step)}, internal=True)
    begin_fulfilment(request, actor)


def on_approval_decided(ticket, stage, approved, actor, comment):
    """core.hooks approval listener: the stage of step `stage.order` was approved or rejected."""
    request = ServiceRequest.objects.select_related("catalog_item__service", "catalog_item__team", "requester") \
        .get(pk=ticket.pk)
    if request.state != workflow.AWAITING_APPROVAL:
        return
    if not approved:  # core.approvals asks every rejection for its reason
        core_services.transition_ticket(request, actor, workflow.REJECTED, {"rejection_reason": comment},
                                        system=True)
        cancel_plan(request, actor, _("The request %(number)s was rejected.") % {"number": request.number})
        return
    start_approvals(request, actor, index=stage.order)


def begin_fulfilment(request, actor):
    """Approved: into fulfilment, the expected date counted again from now (the SLA clock was paused while
    the request waited for approval)."""
    expected = expected_fulfilment(request.catalog_item, organization=request.organization)
    data = {"expected_by": expected.due_at} if expected else {}
    request = core_services.transition_ticket(request, actor, workflow.IN_FULFILMENT, data, system=True)
    start_fulfilment(request, actor)


def start_fulfilment(request, actor):
    """Create the request's tasks from the item's templates: the first stage open, the later ones pending (after
    the fulfilment listeners: a standard change the item offers)."""
    for listener in hooks.fulfilment_listeners:
        listener(request, actor)
    templates = list(request.catalog_item.task_templates.order_by("stage", "id"))
    if not templates:
        return
    first, creator = templates[0].stage, _plan_actor(actor)
    for template in templates:
        core_services.create_ticket(Task, creator, {
            "request": request, "stage": template.stage, "template": template, "title": template.title,
            "description": template.instructions, "team": template.team, "organization": request.organization_id,
            "requester": None, "service": request.service_id, "channel": request.channel,
            "state": workflow.OPEN if template.stage == first else workflow.PENDING})
    core_services.update_ticket(request, creator, {"stage": first})


def advance(request, actor):
    """After a task closed (or the request resumed): start the next stage, or fulfil the request."""
    request = ServiceRequest.objects.get(pk=request.pk)
    if request.state != workflow.IN_FULFILMENT:
        return
    tasks = list(Task.objects.filter(request=request).order_by("stage", "id"))
    if not tasks or any(t.state in (workflow.OPEN, workflow.IN_PROGRESS) for t in tasks):
        return
    pending = [t for t in tasks if t.state == workflow.PENDING]
    creator = _plan_actor(actor)
    if pending:
        stage = pending[0].stage
        for task in pending:
            if task.stage == stage:
                core_services.transition_ticket(task, creator, workflow.OPEN, system=True)
        core_services.update_ticket(request, creator, {"stage": stage})
        return
    if any(task.template_id for task in tasks):  # a plan's tasks, not only tasks an agent added by hand
        core_services.transition_ticket(request, actor, workflow.FULFILLED,
                                        {"resolution_notes": fulfilment_notes(tasks)}, system=True)


def fulfilment_notes(tasks):
    lines = []
    for task in tasks:
        state = str(workflow.TASK_STATES.get(task.state, task.state))
        lines.append(f"- {task.title}: {task.resolution_notes.strip() or state}")
    return "\n".join(lines) or _("Fulfilled.")


def cancel_plan(request, actor, reason=""):
    """The request was cancelled (or rejected): its open tasks are cancelled, its open approval stages closed."""
    reason = reason or _("The request %(number)s was cancelled.") % {"number": request.number}
    for task in queries.open_tasks(request):
        core_services.transition_ticket(task, _plan_actor(actor), workflow.TASK_CANCELLED, {"cancel_reason": reason},
                                        system=True)
    approvals.cancel_open_stages(request, actor, bump=False)  # within the request's cancelling transition

