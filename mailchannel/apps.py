from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import ADMINS, MenuEntry, RegisteredApp


class MailchannelConfig(RegisteredApp, AppConfig):
    """The e-mail channel. Only admins configure it (no role grant): mailboxes, domains, the held-mail list;
    managers read the inbound mail log (reached from a ticket's "E-mail" panel)."""

    name = "mailchannel"
    verbose_name = _("E-mail channel")
    api_urls = ("mailchannel.api.urls",)
    web_urls = (("mail/", "mailchannel.urls"),)
    menu = (MenuEntry(_("E-mail"), "mailchannel:mailboxes", ADMINS, order=95),)

    def ready(self):
        from core import hooks

        from . import message_views, threads

        hooks.register_mail_origin(threads.mail_origins)
        hooks.register_ticket_panel(50, "mailchannel/_ticket_panel.html", message_views.ticket_panel_context)
