from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlmConfig(AppConfig):
    name = "slm"
    verbose_name = _("Service level management")

    def ready(self):
        from core import hooks

        from . import panels, queries, surveys, timers

        hooks.on_ticket_written(timers.on_ticket_written)
        hooks.on_ticket_written(surveys.on_ticket_written)  # satisfaction survey on resolve
        hooks.register_sla_warning_lookup(queries.warning_levels)
        hooks.register_ticket_panel(40, "slm/_ticket_timers.html", panels.ticket_timers_context)
