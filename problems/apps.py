from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, MANAGER
from core.registry import VIEW_ADD_CHANGE, RegisteredApp


class ProblemsConfig(RegisteredApp, AppConfig):
    name = "problems"
    verbose_name = _("Problem management")
    role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: VIEW_ADD_CHANGE}
