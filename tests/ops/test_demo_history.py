"""The demo history: written on a simulated clock, it feeds the SLA reports with numbers spread over time."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from core.models import AuditAction, AuditEntry, Outbox, Ticket
from demo.clock import SimulatedClock
from incidents import workflow as wf
from incidents.models import Incident
from slm import reports
from slm.models import SatisfactionSurvey, ServiceReview, SLATimer, SLATimerEvent
from tests.support import isolation

DAYS = 10


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo history, seeded once for the tests of a class (they only read it) and rolled back after its last
    test; each test runs in a savepoint inside."""
    isolation.eager_celery()
    with (django_db_blocker.unblock(),
          override_settings(DEMO_DATA=True, **isolation.settings_for(tmp_path_factory.mktemp("demo"))),
          transaction.atomic()):
        call_command("seed_demo", "--days", str(DAYS), stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_clock_moves_the_services_and_model_defaults_then_restores_them():
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
    real_now = timezone.now
    with SimulatedClock(start) as clock:
        assert timezone.now() == start
        clock.advance_to(start + dt.timedelta(hours=3))
        row = Outbox.objects.create(recipient="a@example.com", subject="s")  # created_at defaults to now
        assert row.created_at == start + dt.timedelta(hours=3)
        with pytest.raises(ValueError):
            clock.advance_to(start)
    assert timezone.now is real_now
    assert abs(Outbox.objects.create(recipient="b@example.com", subject="s").created_at - real_now()) < \
        dt.timedelta(minutes=1)


def test_clock_that_fails_to_start_restores_what_it_already_patched(monkeypatch):
    from demo import clock as demo_clock

    real_now = timezone.now

    def broken():
        raise RuntimeError("app registry not ready")
    monkeypatch.setattr(demo_clock.apps, "get_models", broken)
    with pytest.raises(RuntimeError):
        with SimulatedClock(dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)):
            pass
    assert timezone.now is real_now


@pytest.mark.django_db
def test_history_that_fails_restores_the_clock_and_sends_no_mail(monkeypatch, settings, mailoutbox):
    """make run must not be left on a simulated clock, nor with another mail backend, by a failing history."""
    from demo import history

    settings.DEMO_DATA = True
    backend, real_now = settings.EMAIL_BACKEND, timezone.now
    monkeypatch.setattr(history.History, "review", lambda self: iter(()))
    original_nightly = history.History.nightly

    def nightly_then_fail(self):
        seen = []
        for following in original_nightly(self):
            seen.append(following)
            assert django_settings().EMAIL_BACKEND == backend
            if len(seen) == 3:
                raise RuntimeError("disk full")
            yield following
    monkeypatch.setattr(history.History, "nightly", nightly_then_fail)
    with pytest.raises(RuntimeError):
        call_command("seed_demo", "--days", "5", stdout=io.StringIO())
    assert timezone.now is real_now and mailoutbox == []


def django_settings():
    from django.conf import settings

    return settings


@pytest.mark.django_db
class TestSeededHistory:
    """Read-only checks of one seeded history."""

    def test_history_spans_the_days_and_feeds_compliance_mtta_and_mttr(self, seeded):
        now = timezone.now()
        created = sorted(Incident.objects.values_list("created_at", flat=True))
        assert created[0] >= now - dt.timedelta(days=DAYS + 1) and created[0] <= now - dt.timedelta(days=DAYS - 2)
        assert created[-1] >= now - dt.timedelta(days=3) and created[-1] <= now
        assert len({c.date() for c in created}) >= DAYS // 2  # not all in the same minute any more

        # Three periods of the history, each with measured timers, response and resolution means.
        first_day = timezone.localdate() - dt.timedelta(days=DAYS)
        periods = [reports.parse_period(start=str(first_day + dt.timedelta(days=d)),
                                        end=str(first_day + dt.timedelta(days=d + 3))) for d in (0, 4, 8)]
        totals = [reports.compliance(period, group_by="service")["total"] for period in periods]
        for total in totals:
            assert total["measured"] > 0 and total["mtta_seconds"] > 0 and total["mttr_seconds"] > 0
        assert len({total["mttr_seconds"] for total in totals}) == 3

        whole = reports.compliance(reports.parse_period(start=str(first_day), end=str(timezone.localdate())))
        total = whole["total"]
        assert total["met"] > 0 and total["breached"] > 0 and 50 < total["compliance"] < 100
        assert 60 < total["mtta_seconds"] < 2 * 86400 and total["mtta_seconds"] < total["mttr_seconds"] < 10 * 86400

        # Warnings and breaches were recorded when they happened (the sweep ran on the clock), not all at the end.
        # A breach is dated at the instant the target was reached, however late the sweep saw it (how many days
        # have breaches depends on the calendar days the history happens to cover).
        breached = list(SLATimer.objects.filter(breached_at__isnull=False))
        assert breached and all(timer.breached_at == timer.due_at for timer in breached)
        assert min(timer.breached_at for timer in breached) < now - dt.timedelta(hours=12)
        warned = SLATimerEvent.objects.filter(kind=SLATimerEvent.Kind.WARNED).values_list("at", flat=True)
        assert len({w.date() for w in warned}) >= 3
        assert AuditEntry.objects.filter(action=AuditAction.SLA).exists()  # the sweep audits what it flags

    def test_history_has_closures_surveys_outages_and_a_review(self, seeded):
        auto_closed = Ticket.objects.filter(state=wf.CLOSED, closed_at__isnull=False)
        assert auto_closed.exists()
        for incident in Incident.objects.filter(state=wf.CLOSED)[:20]:
            assert incident.closed_at > incident.resolved_at > incident.created_at
        assert SatisfactionSurvey.objects.filter(answered_at__isnull=False).exists()
        answered = SatisfactionSurvey.objects.filter(answered_at__isnull=False).first()
        assert answered.answered_at > answered.sent_at
        major = Incident.objects.get(is_major=True)
        assert major.outage_start == major.created_at and major.outage_end > major.outage_start
        assert ServiceReview.objects.filter(findings__contains="SLA compliance").exists()
        assert not Outbox.objects.filter(status=Outbox.Status.PENDING, created_at__lt=timezone.now()
                                         - dt.timedelta(days=2)).exists()  # history mail went out every night
