"""Celery tasks of error control (imported by ProblemsConfig.ready, so they register without a tasks.py)."""

from celery import shared_task

from . import workaround_services


@shared_task(name="problems.review_known_errors", soft_time_limit=50, time_limit=60)
def review_known_errors():
    """Daily: announce the known errors whose review date has come, once per review date."""
    flagged, full = workaround_services.review_known_errors()
    if full:
        review_known_errors.delay()
    return flagged
