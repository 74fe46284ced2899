"""Every write to a fulfilment task. Closing one (done or cancelled) moves its request's plan on (plan.advance)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import services as core_services

from . import plan, workflow
from .models import ServiceRequest, Task


@transaction.atomic
def create_task(actor, data):
    """A task an agent adds to an open request (the plan creates the others): in the request's current stage,
    for the request's organization and service; a task has no requester of its own."""
    data = dict(data)
    request = data.get("request")
    if not isinstance(request, ServiceRequest):
        raise ValidationError({"request": [_("Choose the service request this task belongs to.")]})
    if request.state not in (workflow.IN_FULFILMENT, workflow.ON_HOLD):
        raise ValidationError({"request": [_("Tasks can be added only to a request in fulfilment.")]})
    data["requester"] = None
    data.setdefault("organization", request.organization_id)
    data.setdefault("service", request.service_id)
    data.setdefault("stage", request.stage or 1)
    return core_services.create_ticket(Task, actor, data)


@transaction.atomic
def update_task(task, actor, data, expected_version=None):
    if "request" in data and getattr(data["request"], "pk", data["request"]) != task.request_id:
        raise ValidationError({"request": [_("A task stays with its request.")]})
    data = {name: value for name, value in data.items() if name != "request"}
    return core_services.update_ticket(task, actor, data, expected_version)


@transaction.atomic
def transition_task(task, actor, to, data=None, expected_version=None, comment="", internal_comment=False):
    closing = to in workflow.TASK_WORKFLOW.closed_states
    if closing:  # one task at a time closes per request, so the last of a stage always sees the others closed
        ServiceRequest.objects.select_for_update().filter(pk=task.request_id).first()
    task = core_services.transition_ticket(task, actor, to, data, expected_version, comment=comment,
                                           internal_comment=internal_comment)
    if closing:
        plan.advance(task.request, actor)
    return task
