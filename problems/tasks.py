from celery import shared_task

from . import candidate_services, workaround_services


@shared_task(name="problems.run_trend_analysis", soft_time_limit=240, time_limit=300)
def run_trend_analysis():
    """Find clusters of similar incidents and record them as problem candidates; returns the summary."""
    return candidate_services.run_analysis()


@shared_task(name="problems.review_known_errors", soft_time_limit=50, time_limit=60)
def review_known_errors():
    """Daily: announce the known errors whose review date has come, once per review date."""
    flagged, full = workaround_services.review_known_errors()
    if full:
        review_known_errors.delay()
    return flagged
