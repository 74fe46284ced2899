"""Writes on events whose processing failed for good: an agent retries them from the alert console."""

import logging

from django.db import transaction

from .dispatch import dispatch
from .models import Event

log = logging.getLogger(__name__)


@transaction.atomic
def retry_event(event_id, actor):
    """Put a failed event back in the queue (processed again after commit); False when it is not failed."""
    event = Event.objects.select_for_update().filter(pk=event_id).exclude(error="").first()
    if event is None or event.processed_at is None:
        return False
    log.warning("events: event %s retried by %s (%d attempts, last error: %s)", event.pk, actor.get_username(),
                event.attempts, event.error[:200])
    Event.objects.filter(pk=event.pk).update(processed_at=None, retry_at=None, attempts=0, error="")
    transaction.on_commit(lambda: dispatch([event.pk]))
    return True
