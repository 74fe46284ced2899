"""The SLA panel of a ticket page: its timers and their timeline."""

from django.utils import timezone

from . import clock, queries
from .models import SatisfactionSurvey


def timer_rows(timers, now):
    rows = []
    for timer in timers:
        percent = clock.percent(timer, now)
        rows.append({"timer": timer, "metric": timer.get_metric_display(), "target": timer.target,
                     "due_at": timer.due_at, "elapsed_seconds": int(clock.elapsed_now(timer, now)),
                     "elapsed_minutes": int(clock.elapsed_now(timer, now)) // 60,
                     "percent": round(percent, 1), "bar_percent": min(100, int(percent)),
                     "status": queries.status_of(timer), "breached": timer.breached_at is not None})
    return rows


def expected_by(timers):
    """The due instant of the running resolution timer, which a requester may be told, or None."""
    for timer in timers:
        if timer.metric == "resolution" and queries.status_of(timer) == "running" and timer.due_at:
            return timer.due_at
    return None


def ticket_timers_context(ticket, request):
    """Staff: the timers, their targets, progress and timeline. A requester: only when the ticket is expected
    to be done (in their time zone); never targets, percentages or breaches."""
    from core import permissions

    timers = queries.timers_for([ticket.pk]).get(ticket.pk, [])
    if not permissions.can_see_internal(request.user):
        return {"sla_requester": True, "sla_expected_by": expected_by(timers)}
    events = sorted((event for timer in timers for event in timer.events.all()), key=lambda e: (e.at, e.pk))
    for timer in timers:
        for event in timer.events.all():
            event.timer = timer  # already loaded: no query per event
    return {"sla_timers": timer_rows(timers, timezone.now()), "sla_events": events}


def survey_context(ticket, request):
    """The ticket's satisfaction survey: its requester rates here; staff see the answer."""
    survey = SatisfactionSurvey.objects.filter(ticket_id=ticket.pk).first()
    if survey is None:
        return {"survey": None}
    from core import permissions

    from .reports_forms import SurveyAnswerForm

    mine = survey.requester_id == request.user.pk
    if not mine and not permissions.is_agent(request.user):
        return {"survey": None}
    return {"survey": survey, "survey_mine": mine, "survey_form": SurveyAnswerForm() if mine else None}
