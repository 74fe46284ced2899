"""Registers the change (CHG…) ticket kind with core.hooks, and the approval listener."""


def register():
    from django.utils.translation import gettext_lazy as _

    from core import hooks

    from . import authority, caused_by, queries, services
    from .filters import ChangeFilter
    from .forms import ChangeForm
    from .models import Change
    from .workflow import WORKFLOW

    hooks.register_kind(hooks.TicketKind(
        kind="change", prefix="CHG", model=Change, workflow=WORKFLOW, api_basename="change",
        label=_("change"), label_plural=_("changes"), url_namespace="changes", template_dir="changes",
        requester_visible=False,
        list_queryset=queries.change_list, detail_queryset=queries.change_detail,
        create_service=services.create_change, update_service=services.update_change,
        transition_service=services.transition_change, form_class=ChangeForm, filterset_class=ChangeFilter,
        queue_columns=("number", "title", "state", "priority", "team", "assignee", "sla_due", "updated")))
    hooks.register_approval_listener("change", authority.on_approval_decided)
    hooks.register_ticket_panel(35, "changes/_caused_by_panel.html", caused_by.panel_context)
