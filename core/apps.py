from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .permissions import AGENT, MANAGER
from .registry import AGENTS, MANAGERS, REQUESTERS, VIEW, VIEW_ADD_CHANGE, MenuEntry, RegisteredApp


def _sync_roles(sender, **kwargs):
    from .roles import sync_roles

    sync_roles()


class CoreConfig(RegisteredApp, AppConfig):
    name = "core"
    verbose_name = _("Core")
    role_grants = {AGENT: VIEW, MANAGER: VIEW_ADD_CHANGE}
    withheld_permissions = frozenset({("auditentry", "change"), ("auditentry", "delete")})  # append-only
    api_urls = ("core.api.urls",)
    web_urls = (("", "core.urls"),)
    menu = (
        MenuEntry(_("My work"), "home", AGENTS, order=10),
        MenuEntry(_("My requests"), "home", REQUESTERS, order=10),
        MenuEntry(_("Triage"), "triage", AGENTS, order=15),
        MenuEntry(_("Admin"), "admin:index", MANAGERS, order=100),
    )

    def ready(self):
        from . import approval_views, converters, hooks, notification_rules

        converters.register()

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="core.sync_roles")
        hooks.on_ticket_written(notification_rules.on_ticket_written)
        hooks.register_ticket_panel(20, "components/approvals_panel.html", approval_views.panel_context)
