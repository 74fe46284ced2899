"""Every write to a service request: ordering a catalogue item (answers checked, routed, its plan started),
editing, moving and cancelling a request. The fulfilment plan itself (approvals, tasks) is plan.py.

Routing on create, unless the caller names a team or an assignee:
- the request goes to the item's fulfilment team;
- feedback, compliments and complaints (request type `feedback`) go to the service owner: assigned to them when
  the owner is service desk staff and a member of that team (or the item has no team), else to the team alone.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import hooks, permissions
from core import services as core_services
from core.models import Channel
from core.workflow import TransitionError

from . import catalog_queries, plan, queries, workflow
from .expected import expected_fulfilment
from .models import CatalogItem, RequestType, ServiceRequest
from .variables import validate_variables

FIXED_AFTER_CREATE = ("catalog_item", "variables", "request_type")


def _organization_id(requester, data):
    if data.get("organization") is not None:
        return getattr(data["organization"], "pk", data["organization"])
    profile = getattr(requester, "profile", None) if requester is not None else None
    return profile.organization_id if profile else None


def _check_item(item, actor, organization_id):
    """Requesters order only active items offered to their organization; staff any active item."""
    if not isinstance(item, CatalogItem):
        raise ValidationError({"catalog_item": [_("Choose a catalogue item.")]})
    if permissions.is_agent(actor):
        if not item.active:
            raise ValidationError({"catalog_item": [_("This catalogue item is no longer offered.")]})
    elif not (organization_id and CatalogItem.objects.filter(catalog_queries.offered_q(organization_id),
                                                             pk=item.pk, active=True).exists()):
        raise ValidationError({"catalog_item": [_("Unknown catalogue item.")]})
    for check in hooks.order_checks:  # what other practices say of the item (changes: its standard change)
        reason = check(item, actor)
        if reason:
            raise ValidationError({"catalog_item": [str(reason)]})


def _route(item, data):
    """The team (and for feedback the service owner) a new request goes to; see the module's docstring."""
    if data.get("team") is not None or data.get("assignee") is not None:
        return
    data.pop("team", None), data.pop("assignee", None)
    if item.team_id:
        data["team"] = item.team
    owner = item.service.owner if item.request_type == RequestType.FEEDBACK else None
    if owner is not None and owner.is_active and permissions.is_agent(owner) and (
            not item.team_id or item.team.members.filter(pk=owner.pk).exists()):
        data["assignee"] = owner


@transaction.atomic
def create_request(actor, data):
    """A request for data["catalog_item"] with data["variables"] (checked by variables.validate_variables:
    VariablesError), data["files"] for attachment fields, and optionally title, requester, channel and other
    ticket fields. Starts the item's plan: approvals first, else straight to fulfilment."""
    data = dict(data)
    item = data.pop("catalog_item", None)
    variables = data.pop("variables", None) or {}
    files = data.pop("files", None) or {}
    requester = data.get("requester") or (None if permissions.is_agent(actor) else actor)
    organization_id = _organization_id(requester, data)
    _check_item(item, actor, organization_id)
    cleaned = validate_variables(item, variables, actor, files=files)
    if not (data.get("title") or "").strip():
        data["title"] = item.name
    data.setdefault("channel", Channel.PORTAL)
    _route(item, data)
    expected = expected_fulfilment(item, organization=_organization(organization_id))
    steps = plan.approval_steps(item)
    data.update(catalog_item=item, request_type=item.request_type, variables=cleaned, service=item.service,
                expected_by=expected.due_at if expected else None)
    if not steps:
        data["state"] = workflow.IN_FULFILMENT  # standard requests skip approval
    request = core_services.create_ticket(ServiceRequest, actor, data)
    for upload in files.values():
        core_services.add_attachment(request, actor, upload)
    if steps:
        plan.start_approvals(request, actor)
    else:
        plan.start_fulfilment(request, actor)
    return ServiceRequest.objects.get(pk=request.pk)


def _organization(pk):
    from core.models import Organization

    return Organization.objects.filter(pk=pk).first() if pk else None


@transaction.atomic
def update_request(request, actor, data, expected_version=None):
    fixed = sorted(set(data) & set(FIXED_AFTER_CREATE))
    if fixed:
        raise ValidationError({name: [_("This cannot be changed after the request is made.")] for name in fixed})
    return core_services.update_ticket(request, actor, data, expected_version)


@transaction.atomic
def transition_request(request, actor, to, data=None, expected_version=None, comment="", internal_comment=False):
    """Move a request; marking it fulfilled needs its tasks done, cancelling it cancels its open tasks and
    approvals, resuming it from hold goes on with the plan."""
    from_state = request.state
    if to == workflow.FULFILLED and queries.open_tasks(request).exists():
        raise TransitionError({"to": [_("Complete or cancel the request's open tasks first.")]})
    request = core_services.transition_ticket(request, actor, to, data, expected_version, comment=comment,
                                              internal_comment=internal_comment)
    if to == workflow.CANCELLED:
        plan.cancel_plan(request, actor)
    elif to == workflow.IN_FULFILMENT and from_state == workflow.ON_HOLD:
        plan.advance(request, actor)
    return request


def cancel_request(request, actor, reason):
    """The requester (while awaiting approval) or the service desk cancels a request."""
    return transition_request(request, actor, workflow.CANCELLED, {"cancel_reason": reason})
