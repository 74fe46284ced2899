from celery import shared_task

from . import candidate_services


@shared_task(name="problems.run_trend_analysis", soft_time_limit=240, time_limit=300)
def run_trend_analysis():
    """Find clusters of similar incidents and record them as problem candidates; returns the summary."""
    return candidate_services.run_analysis()
