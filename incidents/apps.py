from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, CHANGE_AUTHORITY, MANAGER
from core.registry import AGENTS, ALL_ACTIONS, VIEW, VIEW_ADD_CHANGE, MenuEntry, RegisteredApp


class IncidentsConfig(RegisteredApp, AppConfig):
    name = "incidents"
    verbose_name = _("Incident management")
    role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: ALL_ACTIONS, CHANGE_AUTHORITY: VIEW}
    api_urls = ("incidents.api.urls",)
    web_urls = (("incidents/", "incidents.urls"),)
    menu = (
        MenuEntry(_("Incidents"), "incidents:list", AGENTS, order=20),
        MenuEntry(_("New incident"), "incidents:create", AGENTS, order=30, hotkey="n"),
    )

    def ready(self):
        from core import hooks

        from . import queries, services
        from .filters import IncidentFilter
        from .forms import IncidentForm
        from .models import Incident
        from .workflow import WORKFLOW

        hooks.register_kind(hooks.TicketKind(
            kind="incident", prefix="INC", model=Incident, workflow=WORKFLOW, api_basename="incident",
            label=_("incident"), label_plural=_("incidents"), url_namespace="incidents",
            list_queryset=queries.incident_list, detail_queryset=queries.incident_detail,
            create_service=services.create_incident, update_service=services.update_incident,
            transition_service=services.transition_incident,
            form_class=IncidentForm, filterset_class=IncidentFilter))
