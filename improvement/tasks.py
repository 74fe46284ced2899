from celery import shared_task

from . import feeds, services


@shared_task(name="improvement.remeasure_improvements", soft_time_limit=240, time_limit=300)
def remeasure_improvements():
    """Re-measure "did we get there" for every record taking action or past it, once a day until it closes."""
    return services.remeasure_due()


@shared_task(name="improvement.run_feeds", soft_time_limit=240, time_limit=300)
def run_feeds():
    """Propose improvements from repeated breaches, complaints and low survey scores; returns what was proposed."""
    return feeds.run_feeds()
