from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlmConfig(AppConfig):
    name = "slm"
    verbose_name = _("Service level management")
