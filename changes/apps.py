from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, CHANGE_AUTHORITY, MANAGER
from core.registry import AGENTS, ALL_ACTIONS, VIEW_ADD_CHANGE, MenuEntry, RegisteredApp


class ChangesConfig(RegisteredApp, AppConfig):
    name = "changes"
    verbose_name = _("Change enablement")
    role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: ALL_ACTIONS, CHANGE_AUTHORITY: ALL_ACTIONS}
    api_urls = ("changes.api.urls", "changes.api.schedule_urls")
    web_urls = (("changes/schedule/", "changes.schedule_urls"), ("changes/", "changes.urls"))
    menu = (MenuEntry(_("Changes"), "changes:list", AGENTS, order=40),
            MenuEntry(_("Change calendar"), "change_schedule:calendar", AGENTS, order=41))

    def ready(self):
        from . import kinds

        kinds.register()
