from celery import shared_task

from . import template_review


@shared_task(name="changes.refresh_template_review_flags", soft_time_limit=240, time_limit=300)
def refresh_template_review_flags():
    """Daily: flag the standard change templates whose changes fail or cause incidents above their threshold."""
    return template_review.refresh_review_flags()
