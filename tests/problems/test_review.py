"""The known-error review: flagged once per review date, on or after the date, with a note and notices."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEntry, Comment, Notification
from problems import services as problem_services
from problems import tasks as problem_tasks
from problems import workaround_services as ws
from tests.support import factories

from .known_error_support import fix, known_error

pytestmark = pytest.mark.django_db


def review_entries(problem):
    return AuditEntry.objects.filter(ticket_id=problem.pk, action="updated",
                                     changes__has_key="review_notified_for").count()


def test_the_task_flags_once_per_review_date_and_tells_the_assignee():
    agent, colleague = factories.agent(), factories.agent()
    team = factories.TeamFactory(members=[agent, colleague])
    today = timezone.localdate()
    due = known_error(agent, review_date=today, team=team, assignee=agent)
    team_only = known_error(agent, review_date=today - timedelta(days=3), team=team)
    later = known_error(agent, review_date=today + timedelta(days=1))
    fix(known_error(agent, review_date=today))  # closed: no review
    assert problem_tasks.review_known_errors.delay().get() == 2
    assert problem_tasks.review_known_errors.delay().get() == 0
    assert review_entries(due) == 1 and review_entries(team_only) == 1 and review_entries(later) == 0
    due.refresh_from_db()
    assert due.review_notified_for == today
    assert Comment.objects.filter(ticket_id=due.pk, is_internal=True, body__contains="review due").count() == 1
    review_notices = Notification.objects.filter(text__contains="review due")
    assert list(review_notices.filter(ticket_id=due.pk).values_list("recipient_id", flat=True)) == [agent.pk]
    assert set(review_notices.filter(ticket_id=team_only.pk).values_list("recipient_id", flat=True)) == {
        agent.pk, colleague.pk}


def test_a_new_review_date_is_announced_again_when_it_comes():
    agent = factories.agent()
    today = timezone.localdate()
    problem = known_error(agent, review_date=today - timedelta(days=1))
    assert ws.review_known_errors(today)[0] == 1
    problem = problem_services.update_problem(problem, agent, {"review_date": today + timedelta(days=7)})
    assert ws.review_known_errors(today)[0] == 0
    assert ws.review_known_errors(today + timedelta(days=7))[0] == 1
    assert ws.review_known_errors(today + timedelta(days=8))[0] == 0
    assert review_entries(problem) == 2


def test_the_beat_entry_runs_daily():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["problems-review-known-errors"]
    assert entry == {"task": "problems.review_known_errors", "schedule": 86400.0}
