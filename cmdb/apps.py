from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, CHANGE_AUTHORITY, MANAGER
from core.registry import AGENTS, ALL_ACTIONS, VIEW, MenuEntry, RegisteredApp


class CmdbConfig(RegisteredApp, AppConfig):
    name = "cmdb"
    verbose_name = _("Configuration management")
    role_grants = {AGENT: VIEW, MANAGER: ALL_ACTIONS, CHANGE_AUTHORITY: VIEW}
    api_urls = ("cmdb.api.urls",)
    web_urls = (("cmdb/", "cmdb.urls"),)
    menu = (
        MenuEntry(_("CMDB"), "cmdb:ci_list", AGENTS, order=50),
    )
