"""Reads of requests and tasks shared by the API and the pages."""

from django.db.models import Prefetch

from core import permissions
from core.approval_models import ApprovalStage

from .models import CatalogItem, ServiceRequest, Task
from .workflow import TASK_WORKFLOW

LIST_JOINED = ("team", "assignee")
LIST_PREFETCHED = ("service", "configuration_item", "organization", "requester", "catalog_item")
DETAIL_PREFETCHED = LIST_PREFETCHED + ("created_by",)
TASK_PREFETCHED = ("service", "configuration_item", "organization", "requester", "request")


def approval_stages():
    return Prefetch("approval_stages", queryset=ApprovalStage.objects.order_by("order", "id")
                    .only("id", "ticket_id", "order", "name", "state"))


def request_tasks():
    """The request's tasks as `plan_tasks`: what the API's `tasks` and the page's plan show."""
    return Prefetch("tasks", to_attr="plan_tasks", queryset=Task.objects.select_related("team", "assignee")
                    .order_by("stage", "id"))


def _requests(user, queryset, prefetched):
    extra = (request_tasks(),) if permissions.is_agent(user) else ()  # tasks are service desk work
    return permissions.visible_tickets(user, queryset.select_related(*LIST_JOINED).prefetch_related(
        *prefetched, approval_stages(), *extra))


def request_list(user):
    """The requests a user may see (a requester: their own, and their organization's where it allows)."""
    return _requests(user, ServiceRequest.objects.filter(kind=ServiceRequest.TICKET_KIND), LIST_PREFETCHED)


def request_detail(user):
    return _requests(user, ServiceRequest.objects.all(), DETAIL_PREFETCHED)


def task_list(user):
    """The tasks a user may see: staff only (requesters never see tasks, hooks' requester_visible=False)."""
    return permissions.visible_tickets(user, Task.objects.filter(kind=Task.TICKET_KIND)
                                       .select_related(*LIST_JOINED).prefetch_related(*TASK_PREFETCHED))


def task_detail(user):
    return permissions.visible_tickets(user, Task.objects.select_related(*LIST_JOINED).prefetch_related(
        *TASK_PREFETCHED, "created_by"))


def open_tasks(request):
    return Task.objects.filter(request=request, state__in=TASK_WORKFLOW.open_states).order_by("stage", "id")


def orderable_items():
    """Active items an agent may order for someone (every active item), in catalogue order."""
    return CatalogItem.objects.filter(active=True).select_related("category").order_by(
        "category__order", "category__name", "order", "name")


def approval_summary(stages):
    """`none`, `waiting` (a stage is open), `rejected`, `cancelled` or `approved` (every stage approved)."""
    states = [stage.state for stage in stages]
    if not states:
        return "none"
    for state in (ApprovalStage.State.OPEN, ApprovalStage.State.REJECTED):
        if state in states:
            return "waiting" if state == ApprovalStage.State.OPEN else "rejected"
    return "approved" if all(s == ApprovalStage.State.APPROVED for s in states) else "cancelled"


def users_and_cis(ids_by_type):
    """{("user", id): name, ("configuration_item", id): name} for the ids an answer names (two queries at most)."""
    from django.contrib.auth import get_user_model

    from cmdb.models import ConfigurationItem

    names = {}
    if ids_by_type.get("user"):
        for user in get_user_model().objects.filter(pk__in=ids_by_type["user"]):
            names[("user", user.pk)] = user.get_full_name() or user.username
    if ids_by_type.get("configuration_item"):
        for ci in ConfigurationItem.objects.filter(pk__in=ids_by_type["configuration_item"]).only("id", "name"):
            names[("configuration_item", ci.pk)] = ci.name
    return names



def plan_stages(request):
    """The fulfilment plan as the request page shows it: [{"number", "tasks", "templates", "current"}] by stage;
    before fulfilment (no tasks yet) the stages are the item's task templates."""
    tasks = getattr(request, "plan_tasks", None)  # prefetched for staff by request_detail
    if tasks is None:
        tasks = list(Task.objects.filter(request=request).select_related("team", "assignee").order_by("stage", "id"))
    stages = {}
    for task in tasks:
        stages.setdefault(task.stage, {"number": task.stage, "tasks": [], "templates": []})["tasks"].append(task)
    if not tasks:
        for template in request.catalog_item.task_templates.select_related("team").order_by("stage", "id"):
            stages.setdefault(template.stage, {"number": template.stage, "tasks": [], "templates": []})[
                "templates"].append(template)
    for number, stage in stages.items():
        stage["current"] = bool(stage["tasks"]) and number == request.stage
    return [stages[number] for number in sorted(stages)]


def request_numbers(ids):
    """{request id: number} in one query (the task queue's request column)."""
    return dict(ServiceRequest.objects.filter(pk__in=set(ids)).values_list("pk", "number"))

