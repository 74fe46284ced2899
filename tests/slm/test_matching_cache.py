"""Target matching keeps the agreed targets between writes; every way they change is seen by the next ticket."""

import pytest
from django.db.models import F

from slm import matching, services
from slm.models import Agreement, BusinessCalendar, SLATimer
from tests.support import factories
from tests.support.slm_factories import TargetFactory, around_the_clock

pytestmark = pytest.mark.django_db


def resolution_timer(agent):
    incident = factories.incident(agent, title="Printer offline", impact=2, urgency=2)
    return SLATimer.objects.filter(ticket_id=incident.pk, metric="resolution").select_related("target").first()


def test_each_change_is_seen_by_the_next_ticket():
    agent = factories.agent()
    assert resolution_timer(agent) is None
    target = TargetFactory(target_seconds=4 * 3600, calendar=around_the_clock())
    assert resolution_timer(agent).target_id == target.pk
    target.target_seconds = 3600
    target.save()
    assert resolution_timer(agent).target.target_seconds == 3600
    tighter = TargetFactory(agreement=target.agreement, target_seconds=1800)
    assert resolution_timer(agent).target_id == tighter.pk
    tighter.active = False
    tighter.save()
    assert resolution_timer(agent).target_id == target.pk
    services.expire_agreement(target.agreement)  # a QuerySet.update()
    assert resolution_timer(agent) is None
    Agreement.objects.filter(pk=target.agreement_id).update(status=Agreement.Status.AGREED)
    matching.targets_changed()
    assert resolution_timer(agent).target_id == target.pk


def test_a_calendar_version_bumped_by_update_is_seen():
    agent = factories.agent()
    calendar = around_the_clock()
    TargetFactory(calendar=calendar)
    first = resolution_timer(agent)
    BusinessCalendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1)
    second = resolution_timer(agent)
    assert second.calendar_version == first.calendar_version + 1


def test_a_rolled_back_change_never_comes_back(transactional_db):
    agent = factories.agent()
    target = TargetFactory(target_seconds=7200)
    from django.db import transaction

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            target.target_seconds = 60
            target.save()
            assert resolution_timer(agent).target.target_seconds == 60
            raise RuntimeError
    assert resolution_timer(agent).target.target_seconds == 7200
