from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import RegisteredApp


class MailchannelConfig(RegisteredApp, AppConfig):
    """The e-mail channel. Only admins configure it (no role grant): mailboxes, domains, the held-mail list."""

    name = "mailchannel"
    verbose_name = _("E-mail channel")

    def ready(self):
        from core import hooks

        from . import threads

        hooks.register_mail_origin(threads.mail_origins)
