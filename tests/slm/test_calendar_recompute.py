"""Every change to a calendar moves the due of the running timers on it; the sweep never breaches on a stale due."""

import datetime as dt

import pytest
from django.db.models import F

from core.models import Ticket
from slm import calendar as business
from slm import services, sweep, tasks
from slm.models import BusinessCalendar, CalendarException, CalendarHours, SLATimer
from tests.support import factories
from tests.support.slm_factories import TargetFactory, around_the_clock, calendar

from .clock import START, clock  # noqa: F401

pytestmark = pytest.mark.django_db
MONDAY = START.date()
TUESDAY_8 = START + dt.timedelta(days=1)


@pytest.fixture
def setup(clock):
    agent = factories.agent(username="recompute-agent")
    cal = around_the_clock()
    TargetFactory(calendar=cal, target_seconds=8 * 3600)
    incident = factories.incident(agent)
    return {"agent": agent, "calendar": cal, "incident": incident}


def timer_of(incident):
    return SLATimer.objects.get(ticket_id=incident.pk)


def assert_moved_to_tuesday(incident):
    timer = timer_of(incident)
    assert (timer.due_at, timer.next_check_at) == (TUESDAY_8, TUESDAY_8 - dt.timedelta(hours=4))
    assert Ticket.objects.get(pk=incident.pk).sla_due_at == TUESDAY_8


def test_adding_a_holiday_moves_the_due_and_no_breach_is_recorded(setup, clock):
    assert timer_of(setup["incident"]).due_at == START + dt.timedelta(hours=8)
    services.save_calendar(setup["calendar"], {}, exceptions=[{"date": MONDAY, "kind": "holiday"}])
    assert_moved_to_tuesday(setup["incident"])
    clock.advance(hours=9)
    sweep.sweep_all()
    assert timer_of(setup["incident"]).breached_at is None


def test_changing_working_hours_moves_the_due(setup, clock):
    services.save_calendar(setup["calendar"], {}, hours=[{"weekday": d, "start": dt.time(0), "end": dt.time(0)}
                                                         for d in range(1, 7)])  # Mondays off
    assert_moved_to_tuesday(setup["incident"])


def test_inline_edit_then_bump_moves_the_due(setup):
    """The admin saves hours and exceptions inline, then bumps the calendar."""
    CalendarException.objects.create(calendar=setup["calendar"], date=MONDAY, kind="holiday")
    services.bump_calendar(setup["calendar"])
    assert_moved_to_tuesday(setup["incident"])


def test_holiday_import_moves_the_due(clock):
    agent = factories.agent(username="recompute-import")
    cal = around_the_clock()
    TargetFactory(calendar=cal, target_seconds=60 * 86400)
    incident = factories.incident(agent)
    before = timer_of(incident).due_at
    assert services.import_holidays(cal, "CN", 2026) > 0
    after = timer_of(incident).due_at
    expected = business.due(BusinessCalendar.objects.get(pk=cal.pk), START, 60 * 86400)
    assert after == expected and after > before


def test_many_timers_are_recomputed_in_background_batches(setup, clock, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    second = factories.incident(setup["agent"])
    queued = []
    monkeypatch.setattr(services, "RECOMPUTE_SYNC_LIMIT", 1)
    monkeypatch.setattr(services, "RECOMPUTE_BATCH", 1)
    monkeypatch.setattr(tasks.recompute_calendar_timers, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        services.save_calendar(setup["calendar"], {}, exceptions=[{"date": MONDAY, "kind": "holiday"}])
    assert queued == [(setup["calendar"].pk,)]
    assert timer_of(second).due_at == START + dt.timedelta(hours=8)  # not yet
    first_id = timer_of(setup["incident"]).pk
    tasks.recompute_calendar_timers(setup["calendar"].pk)  # a full batch: re-queues itself after it
    assert queued[-1] == (setup["calendar"].pk, first_id)
    assert_moved_to_tuesday(setup["incident"])
    tasks.recompute_calendar_timers(*queued[-1])
    tasks.recompute_calendar_timers(setup["calendar"].pk, timer_of(second).pk)  # empty: stops
    assert len(queued) == 3
    assert_moved_to_tuesday(second)


def test_sweep_checks_the_breach_against_the_current_calendar(setup, clock):
    """A calendar changed but not yet recomputed (background): the sweep re-derives the due first."""
    CalendarException.objects.create(calendar=setup["calendar"], date=MONDAY, kind="holiday")
    BusinessCalendar.objects.filter(pk=setup["calendar"].pk).update(version=F("version") + 1)
    clock.advance(hours=9)
    sweep.sweep_all()
    timer = timer_of(setup["incident"])
    assert (timer.breached_at, timer.warned_percent, timer.due_at) == (None, 0, TUESDAY_8)
    assert timer.calendar_version == BusinessCalendar.objects.get(pk=setup["calendar"].pk).version


def test_a_stale_timer_breaches_at_its_recomputed_due(clock):
    """The calendar gained hours but the background recompute has not run: the breach is recorded at the due
    under the current calendar (as its timeline event says), not at the stale one still stored."""
    agent = factories.agent(username="recompute-stale")
    cal = calendar("Mornings", "UTC", weekdays=range(7), start="08:00", end="12:00")
    TargetFactory(calendar=cal, target_seconds=8 * 3600)
    incident = factories.incident(agent)
    assert timer_of(incident).due_at == TUESDAY_8 + dt.timedelta(hours=4)
    CalendarHours.objects.filter(calendar=cal).update(start=dt.time(0), end=dt.time(0))  # all day now
    BusinessCalendar.objects.filter(pk=cal.pk).update(version=F("version") + 1)
    clock.advance(days=1, hours=6)  # past both dues
    sweep.sweep_all()
    timer = timer_of(incident)
    assert timer.breached_at == timer.counted_at == timer.due_at == START + dt.timedelta(hours=8)
    assert timer.events.get(kind="breached").at == timer.breached_at


def test_a_calendar_edit_while_paused_applies_when_the_timer_resumes(setup, clock):
    from incidents import services as incident_services
    from incidents import workflow

    incident, agent = setup["incident"], setup["agent"]
    clock.advance(hours=1)
    incident_services.transition_incident(incident, agent, workflow.ON_HOLD, {"on_hold_reason": "awaiting_caller"})
    services.save_calendar(setup["calendar"], {}, exceptions=[{"date": MONDAY, "kind": "holiday"}])
    timer = timer_of(incident)
    assert (timer.state, timer.due_at, timer.next_check_at) == ("paused", None, None)
    assert timer.calendar_version == BusinessCalendar.objects.get(pk=setup["calendar"].pk).version
    clock.advance(hours=1)
    incident_services.transition_incident(incident, agent, workflow.IN_PROGRESS)
    # One hour of Monday counted before the holiday was added; the rest runs from Tuesday 00:00.
    assert timer_of(incident).due_at == TUESDAY_8 - dt.timedelta(hours=8) + dt.timedelta(hours=7)
    assert Ticket.objects.get(pk=incident.pk).sla_due_at == timer_of(incident).due_at
