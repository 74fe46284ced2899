from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, MANAGER
from core.registry import ALL_ACTIONS, VIEW_ADD_CHANGE, RegisteredApp


class ServicerequestsConfig(RegisteredApp, AppConfig):
    name = "servicerequests"
    verbose_name = _("Service requests")
    role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: ALL_ACTIONS}
