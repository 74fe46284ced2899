from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, CHANGE_AUTHORITY, MANAGER
from core.registry import AGENTS, ALL_ACTIONS, REQUESTERS, VIEW, VIEW_ADD_CHANGE, MenuEntry, RegisteredApp


class KnowledgeConfig(RegisteredApp, AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge management")
    role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: ALL_ACTIONS, CHANGE_AUTHORITY: VIEW}
    api_urls = ("knowledge.api.urls",)
    web_urls = (("knowledge/", "knowledge.urls"),)
    menu = (
        MenuEntry(_("Knowledge"), "knowledge:list", AGENTS, order=45),
        MenuEntry(_("Knowledge"), "knowledge:list", REQUESTERS, order=45),
    )

    def ready(self):
        from core import hooks

        from . import panels

        hooks.register_ticket_panel(30, "knowledge/_ticket_panel.html", panels.ticket_panel_context, deferred=True)
        hooks.register_portal_report_extra(10, "knowledge/_portal_suggest.html", panels.portal_suggest_context)
