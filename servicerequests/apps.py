from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, MANAGER
from core.registry import AGENTS, ALL_ACTIONS, REQUESTERS, VIEW_ADD_CHANGE, MenuEntry, RegisteredApp


class ServicerequestsConfig(RegisteredApp, AppConfig):
    name = "servicerequests"
    verbose_name = _("Service requests")
    role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: ALL_ACTIONS}
    api_urls = ("servicerequests.api.catalog_urls", "servicerequests.api.urls")
    web_urls = (("portal/", "servicerequests.portal_urls"), ("requests/tasks/", "servicerequests.task_urls"),
                ("requests/", "servicerequests.urls"))
    menu = (MenuEntry(_("Requests"), "requests:list", AGENTS, order=25),
            MenuEntry(_("Tasks"), "tasks:list", AGENTS, order=26),
            MenuEntry(_("Request something"), "portal:catalog", REQUESTERS, order=12))

    def ready(self):
        from core import hooks

        from . import kinds, portal_views

        kinds.register()
        hooks.register_requester_home(portal_views.home)  # "/" for requesters is the self-service portal
