from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incident management")

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
