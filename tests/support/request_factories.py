"""Catalogue items with a fulfilment plan, requests made through servicerequests.services, tasks, and a spy on
core.approvals (start_stage / cancel_open_stages) recording how the plan called them."""

from contextlib import contextmanager
from unittest import mock

from core.approval_models import Approval, ApprovalStage
from tests.support import factories


def category(name="Hardware"):
    from servicerequests.models import CatalogCategory

    return CatalogCategory.objects.get_or_create(name=name)[0]


def catalog_item(name="New laptop", service=None, team=None, approvals=(), tasks=(), fields=(), **extra):
    """An active item. approvals: ApprovalStep kwargs (approver=..., group=..., user=...), in order; tasks:
    (stage, title) or (stage, title, team); fields: ItemField kwargs. Offered to every organization the service
    is offered to (add customers with offer_to)."""
    from servicerequests.models import ApprovalStep, CatalogItem, ItemField, TaskTemplate

    team = team or factories.TeamFactory(name="Service desk")
    service = service or factories.ServiceFactory(name="Workplace")
    extra.setdefault("needs_approval", bool(approvals))
    item = CatalogItem.objects.create(name=name, category=category(), service=service, team=team, **extra)
    for order, step in enumerate(approvals, start=1):
        ApprovalStep.objects.create(item=item, order=order, **step)
    for stage, title, *rest in tasks:
        TaskTemplate.objects.create(item=item, stage=stage, title=title, team=rest[0] if rest else team,
                                    instructions=f"Instructions for {title}")
    for order, field in enumerate(fields):
        ItemField.objects.create(item=item, order=order, **field)
    return item


def offer_to(item, *organizations):
    item.service.customers.add(*organizations)
    return item


def service_request(actor=None, item=None, variables=None, **data):
    """A request created as the product creates them (services.create_request)."""
    from servicerequests import services

    item = item or catalog_item(name="Information request")
    actor = actor or factories.agent()
    return services.create_request(actor, {"catalog_item": item, "variables": variables or {}, **data})


def task(actor=None, request=None, requester=None, **data):
    """A task an agent adds to an open request (a new one for `requester` unless given)."""
    from servicerequests import task_services

    actor = actor or factories.agent()
    request = request or service_request(actor=actor, requester=requester or factories.requester(),
                                         title="Parent request")
    data.setdefault("title", "Install the software")
    return task_services.create_task(actor, {"request": request, **data})


# --- watching core.approvals ---------------------------------------------------------------------

@contextmanager
def spy_approvals():
    """core.approvals' start_stage and cancel_open_stages, recorded (they still run)."""
    from core import approvals

    with mock.patch("core.approvals.start_stage", wraps=approvals.start_stage) as start, \
            mock.patch("core.approvals.cancel_open_stages", wraps=approvals.cancel_open_stages) as cancel:
        yield start, cancel


def decide(request, approved, actor=None, comment=""):
    """Every pending approval of the open stage of `request` decided by its approver through core.approvals
    (the stage's rule then calls the request's listener)."""
    from core import approvals

    stage = ApprovalStage.objects.get(ticket_id=request.pk, state=ApprovalStage.State.OPEN)
    for approval in stage.approvals.filter(state=Approval.State.PENDING).select_related("approver"):
        approval.refresh_from_db()
        if approval.state != Approval.State.PENDING:
            break
        approvals.decide(approval, approval.approver, approved, comment or ("Fine." if approved else "No."))
    stage.refresh_from_db()
    return stage
