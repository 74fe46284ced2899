from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from .roles import sync_roles

    sync_roles()


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import hooks, notification_rules

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="core.sync_roles")
        hooks.on_ticket_written(notification_rules.on_ticket_written)
