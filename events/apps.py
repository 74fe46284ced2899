from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, INTEGRATION, MANAGER
from core.registry import AGENTS, ALL_ACTIONS, VIEW, MenuEntry, RegisteredApp


class EventsConfig(RegisteredApp, AppConfig):
    name = "events"
    verbose_name = _("Event management")
    role_grants = {AGENT: VIEW, MANAGER: ALL_ACTIONS, INTEGRATION: ("add",)}
    api_urls = ("events.api.urls",)
    web_urls = (("events/", "events.urls"),)
    menu = (
        MenuEntry(_("Alerts"), "events:console", AGENTS, order=40),
    )
