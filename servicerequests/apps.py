from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicerequestsConfig(AppConfig):
    name = "servicerequests"
    verbose_name = _("Service requests")
