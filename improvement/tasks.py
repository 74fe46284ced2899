import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from core.workflow import TransitionError

from . import feeds, measuring, services

logger = logging.getLogger(__name__)


@shared_task(name="improvement.remeasure_improvements", soft_time_limit=240, time_limit=300)
def remeasure_improvements(after_id=0):
    """Re-measure "did we get there" for the records taking action or past it that were not measured today (once
    a day until a record closes): one batch by id, each record in its own transaction; re-queues itself while
    batches come back full. A record that cannot be measured (closed meanwhile, its metric no longer valid) is
    skipped until the next run. Returns how many records of this batch were measured."""
    due = list(measuring.due_for_remeasure(after_id=after_id)[:measuring.BATCH_SIZE])
    measured = 0
    for improvement in due:
        try:
            services.measure_now(improvement, None)
        except (TransitionError, ValidationError) as exc:
            logger.warning("improvement %s not measured: %s", improvement.pk, exc)
        else:
            measured += 1
    if len(due) == measuring.BATCH_SIZE:
        remeasure_improvements.delay(due[-1].pk)
    return measured


@shared_task(name="improvement.run_feeds", soft_time_limit=240, time_limit=300)
def run_feeds():
    """Propose improvements from repeated breaches, complaints and low survey scores; returns what was proposed."""
    return feeds.run_feeds()
