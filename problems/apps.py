from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, MANAGER
from core.registry import AGENTS, VIEW_ADD_CHANGE, MenuEntry, RegisteredApp


class ProblemsConfig(RegisteredApp, AppConfig):
    name = "problems"
    verbose_name = _("Problem management")
    role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: VIEW_ADD_CHANGE}
    api_urls = ("problems.api.urls", "problems.api.known_error_urls", "problems.api.candidate_urls")
    web_urls = (("problems/workarounds/", "problems.workaround_urls"), ("problems/reports/", "problems.report_urls"),
                ("problems/candidates/", "problems.candidate_urls"), ("problems/", "problems.urls"))
    # Candidates and reports are reached from the problem queue's head, keeping the header short.
    menu = (MenuEntry(_("Problems"), "problems:list", AGENTS, order=35),)

    def ready(self):
        from core import hooks

        from . import known_error_panel, queries, services
        from .filters import ProblemFilter
        from .forms import ProblemForm
        from .models import Problem
        from .workflow import WORKFLOW

        hooks.register_kind(hooks.TicketKind(
            kind="problem", prefix="PRB", model=Problem, workflow=WORKFLOW, api_basename="problem",
            label=_("problem"), label_plural=_("problems"), url_namespace="problems", requester_visible=False,
            list_queryset=queries.problem_list, detail_queryset=queries.problem_detail,
            create_service=services.create_problem, update_service=services.update_problem,
            transition_service=services.transition_problem, form_class=ProblemForm, filterset_class=ProblemFilter))
        hooks.register_ticket_panel(29, "problems/_known_errors_panel.html", known_error_panel.panel_context,
                                    deferred=True)
