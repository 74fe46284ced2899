"""Celery tasks of slm: thin wrappers over the sweep."""

from celery import shared_task

from . import sweep as sla_sweep


@shared_task(name="slm.sweep_sla_timers", soft_time_limit=50, time_limit=60)
def sweep_sla_timers():
    """One bounded batch; re-queues itself while batches come back full."""
    count = sla_sweep.sweep()
    if count == sla_sweep.BATCH_SIZE:
        sweep_sla_timers.delay()
    return count
