from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, CHANGE_AUTHORITY, MANAGER
from core.registry import AGENTS, ALL_ACTIONS, VIEW_ADD_CHANGE, MenuEntry, RegisteredApp


class ChangesConfig(RegisteredApp, AppConfig):
    name = "changes"
    verbose_name = _("Change enablement")
    role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: ALL_ACTIONS, CHANGE_AUTHORITY: VIEW_ADD_CHANGE}
    api_urls = ("changes.api.urls", "changes.api.cab_urls", "changes.api.templates", "changes.api.releases",
                "changes.api.schedule_urls")
    web_urls = (("changes/reports/", "changes.report_urls"), ("changes/cab/", "changes.cab_urls"),
                ("changes/templates/", "changes.template_urls"), ("changes/releases/", "changes.release_urls"),
                ("changes/schedule/", "changes.schedule_urls"), ("changes/", "changes.risk_urls"),
                ("changes/", "changes.urls"))
    # The calendar, CAB, templates, releases and reports are reached from the change queue's head.
    menu = (MenuEntry(_("Changes"), "changes:list", AGENTS, order=40),)

    def ready(self):
        from . import kinds

        kinds.register()
        from . import templates

        templates.register_hooks()
