from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, MANAGER
from core.registry import AGENTS, ALL_ACTIONS, VIEW_ADD_CHANGE, MenuEntry, RegisteredApp


class ImprovementConfig(RegisteredApp, AppConfig):
    name = "improvement"
    verbose_name = _("Continual improvement")
    role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: ALL_ACTIONS}
    api_urls = ("improvement.api.urls", "improvement.api.proposal_urls")
    web_urls = (("improvements/proposals/", "improvement.proposal_urls"), ("improvements/", "improvement.urls"))
    menu = (MenuEntry(_("Improvements"), "improvement:list", AGENTS, order=85),)

    def ready(self):
        from core import hooks

        from . import proposal_views, queries, services
        from .filters import ImprovementFilter
        from .forms import ImprovementForm
        from .models import Improvement
        from .workflow import WORKFLOW

        hooks.register_kind(hooks.TicketKind(
            kind="improvement", prefix="IMP", model=Improvement, workflow=WORKFLOW, api_basename="improvement",
            label=_("improvement"), label_plural=_("improvements"), url_namespace="improvement",
            template_dir="improvement", requester_visible=False, sla_timed=False, triaged=False,
            list_queryset=queries.improvement_list, detail_queryset=queries.improvement_detail,
            create_service=services.create_improvement, update_service=services.update_improvement,
            transition_service=services.transition_improvement, form_class=ImprovementForm,
            filterset_class=ImprovementFilter,
            queue_columns=("number", "title", "state", "assignee", "updated")))
        hooks.register_ticket_panel(45, "improvement/_from_problem_panel.html", proposal_views.problem_panel_context)
        hooks.register_review_action_tool(10, "improvement/_from_review_action.html",
                                          proposal_views.review_action_context)
