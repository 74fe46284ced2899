"""The e-mail channel's Celery task (a thin wrapper over polling and settings_mailboxes)."""

from celery import shared_task
from django.conf import settings

# IDLE ends this long before the soft time limit, leaving time to handle what arrived and to log out.
IDLE_MARGIN_SECONDS = 20


@shared_task(name="mailchannel.poll_mailboxes")
def poll_mailboxes():
    """Sync the INBOUND_MAIL_URLS mailboxes, then read every active mailbox. With no mailbox anywhere (`make
    run`), one query."""
    from .models import Mailbox
    from .polling import poll_all
    from .settings_mailboxes import sync_from_settings

    active = list(Mailbox.objects.filter(active=True))
    if settings.INBOUND_MAIL_URLS or any(mailbox.from_settings for mailbox in active):
        sync_from_settings()
        active = None  # read again
    soft_limit = getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None) or 60
    idle = max(0.0, min(settings.INBOUND_MAIL_IDLE_SECONDS, soft_limit - IDLE_MARGIN_SECONDS))
    return poll_all(idle_seconds=idle, mailboxes=active)
