"""Registers the request (REQ…) and task (TASK…) ticket kinds with core.hooks, and the approval listener."""


def register():
    from django.utils.translation import gettext_lazy as _

    from core import hooks

    from . import plan, queries, services, task_services
    from .filters import RequestFilter, TaskFilter
    from .forms import RequestForm, TaskForm
    from .models import ServiceRequest, Task
    from .workflow import REQUEST_WORKFLOW, TASK_WORKFLOW

    hooks.register_kind(hooks.TicketKind(
        kind="request", prefix="REQ", model=ServiceRequest, workflow=REQUEST_WORKFLOW, api_basename="request",
        label=_("service request"), label_plural=_("service requests"), url_namespace="requests",
        template_dir="servicerequests", requester_hidden_fields=("stage",),
        list_queryset=queries.request_list, detail_queryset=queries.request_detail,
        create_service=services.create_request, update_service=services.update_request,
        transition_service=services.transition_request, form_class=RequestForm, filterset_class=RequestFilter,
        queue_columns=("number", "title", "state", "priority", "team", "assignee", "sla_due", "updated")))
    hooks.register_kind(hooks.TicketKind(
        kind="task", prefix="TASK", model=Task, workflow=TASK_WORKFLOW, api_basename="task",
        label=_("fulfilment task"), label_plural=_("fulfilment tasks"), url_namespace="tasks",
        template_dir="servicerequests/tasks", requester_visible=False,
        list_queryset=queries.task_list, detail_queryset=queries.task_detail,
        create_service=task_services.create_task, update_service=task_services.update_task,
        transition_service=task_services.transition_task, form_class=TaskForm, filterset_class=TaskFilter,
        queue_columns=("number", "title", "state", "priority", "team", "assignee", "sla_due", "updated")))
    hooks.register_approval_listener("request", plan.on_approval_decided)
