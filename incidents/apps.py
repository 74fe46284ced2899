from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incident management")

    def ready(self):
        from core import hooks

        from .models import Incident
        from .workflow import WORKFLOW

        hooks.register_kind(hooks.TicketKind(kind="incident", prefix="INC", model=Incident, workflow=WORKFLOW,
                                             url_name="incidents:detail", api_basename="incident"))
