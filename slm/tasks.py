"""Celery tasks of slm: thin wrappers over the sweep and the calendar recompute."""

from celery import shared_task
from django.db import transaction

from . import services
from . import sweep as sla_sweep


@shared_task(name="slm.sweep_sla_timers", soft_time_limit=50, time_limit=60)
def sweep_sla_timers():
    """One bounded batch; re-queues itself while batches come back full."""
    count = sla_sweep.sweep()
    if count == sla_sweep.BATCH_SIZE:
        sweep_sla_timers.delay()
    return count


@shared_task(name="slm.recompute_calendar_timers", soft_time_limit=50, time_limit=60)
def recompute_calendar_timers(calendar_id, after_id=0):
    """One batch of a changed calendar's timers, committed; re-queues itself while batches come back full."""
    with transaction.atomic():
        last = services.recompute_calendar_batch(calendar_id, after_id, services.RECOMPUTE_BATCH)
    if last is not None:
        recompute_calendar_timers.delay(calendar_id, last)
    return last
