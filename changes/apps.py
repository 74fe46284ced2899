from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.permissions import AGENT, CHANGE_AUTHORITY, MANAGER
from core.registry import VIEW_ADD_CHANGE, RegisteredApp


class ChangesConfig(RegisteredApp, AppConfig):
    name = "changes"
    verbose_name = _("Change enablement")
    role_grants = {AGENT: VIEW_ADD_CHANGE, MANAGER: VIEW_ADD_CHANGE, CHANGE_AUTHORITY: VIEW_ADD_CHANGE}
