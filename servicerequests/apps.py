from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, MANAGER
from core.registry import ALL_ACTIONS, VIEW_ADD_CHANGE, RegisteredApp


class ServicerequestsConfig(RegisteredApp, AppConfig):
    name = "servicerequests"
    verbose_name = _("Service requests")
    role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: ALL_ACTIONS}
    api_urls = ("servicerequests.api.catalog_urls", "servicerequests.api.urls")
    web_urls = (("portal/", "servicerequests.portal_urls"), ("requests/tasks/", "servicerequests.task_urls"),
                ("requests/", "servicerequests.urls"))
    # menu: added with the pages (requests:list, tasks:list)

    def ready(self):
        from core import hooks

        from . import kinds, portal_views

        kinds.register()
        hooks.register_requester_home(portal_views.home)  # "/" for requesters is the self-service portal
