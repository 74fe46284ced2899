from celery import shared_task

from . import services


@shared_task(name="incidents.auto_close_resolved")
def auto_close_resolved():
    closed = services.auto_close_resolved()
    if closed == 500:
        auto_close_resolved.delay()
    return closed
