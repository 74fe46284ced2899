from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, MANAGER
from core.registry import AGENTS, VIEW_ADD_CHANGE, MenuEntry, RegisteredApp


class ProblemsConfig(RegisteredApp, AppConfig):
    name = "problems"
    verbose_name = _("Problem management")
    role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: VIEW_ADD_CHANGE}
    api_urls = ("problems.api.candidate_urls",)
    web_urls = (("problems/candidates/", "problems.candidate_urls"),)
    menu = (MenuEntry(_("Problem candidates"), "problem_candidates:list", AGENTS, order=45),)

    def ready(self):
        from core import hooks

        from . import queries, services
        from .models import Problem
        from .workflow import WORKFLOW

        hooks.register_kind(hooks.TicketKind(
            kind="problem", prefix="PRB", model=Problem, workflow=WORKFLOW, api_basename="problem",
            label=_("problem"), label_plural=_("problems"), url_namespace="problems", requester_visible=False,
            list_queryset=queries.problem_list, detail_queryset=queries.problem_detail,
            create_service=services.create_problem, update_service=services.update_problem,
            transition_service=services.transition_problem))
