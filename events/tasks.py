"""Celery tasks: thin wrappers over events.services; they take ids and re-fetch."""

from celery import shared_task

from . import services


@shared_task(name="events.process_event", soft_time_limit=120, time_limit=150)
def process_event(event_ids):
    """Process stored events (a list of ids, or one id)."""
    ids = event_ids if isinstance(event_ids, (list, tuple)) else [event_ids]
    return services.process_events(ids)


@shared_task(name="events.process_pending", soft_time_limit=240, time_limit=300)
def process_pending():
    """Beat sweep: process events the broker never delivered (it was down), in bounded batches; re-queues
    itself while batches come back full."""
    ids = services.pending_batch()
    done = services.process_events(ids)
    if len(ids) == services.PENDING_BATCH:
        services.queue_sweep()
    return done
