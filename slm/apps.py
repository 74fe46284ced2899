from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, MANAGER
from core.registry import AGENTS, ALL_ACTIONS, EVERYONE, MANAGERS, VIEW, MenuEntry, RegisteredApp


class SlmConfig(RegisteredApp, AppConfig):
    name = "slm"
    verbose_name = _("Service level management")
    role_grants = {AGENT: VIEW, MANAGER: ALL_ACTIONS}
    api_urls = ("slm.api.urls", "slm.api.reports_urls")
    web_urls = (("slm/", "slm.urls"),)
    menu = (
        MenuEntry(_("Service catalogue"), "slm:service-list", EVERYONE, order=60),
        MenuEntry(_("SLA reports"), "slm:report-compliance", AGENTS, order=70),
        MenuEntry(_("Service reviews"), "slm:review-list", AGENTS, order=80),
        MenuEntry(_("Agreements"), "slm:agreement-list", MANAGERS, order=90),
    )

    def ready(self):
        from core import hooks

        from django.db.models.signals import post_delete, post_save

        from . import matching, models, panels, queries, surveys, timers

        for model in (models.Agreement, models.ServiceLevelTarget, models.BusinessCalendar):
            for signal in (post_save, post_delete):
                signal.connect(matching.on_target_write, sender=model,
                               dispatch_uid=f"targets_changed_{model.__name__}")

        hooks.on_ticket_written(timers.on_ticket_written)
        hooks.on_ticket_written(surveys.on_ticket_written)  # satisfaction survey on resolve
        hooks.register_sla_warning_lookup(queries.warning_levels)
        hooks.register_service_offered(queries.service_offered_to)
        hooks.register_ticket_filter("sla_breached", queries.filter_breached)
        hooks.register_ticket_filter("sla_due_within", queries.filter_due_within)
        hooks.register_ticket_panel(40, "slm/_ticket_timers.html", panels.ticket_timers_context)
        hooks.register_ticket_panel(5, "slm/_ticket_survey.html", panels.survey_context)
