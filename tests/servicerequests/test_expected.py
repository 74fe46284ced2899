"""Expected fulfilment: the item's request resolution target on its business calendar, in plain words."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from core.models import PriorityMatrix
from servicerequests.expected import (Expected, describe_expected, expected_for_items, expected_fulfilment,
                                      working_day_seconds)
from slm import calendar as business
from tests.slm.clock import Clock
from tests.support import factories
from tests.support.catalog_factories import CatalogItemFactory
from tests.support.slm_factories import AgreementFactory, TargetFactory, calendar

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HOUR = 3600
# 09:00-18:00 Monday to Friday in Shanghai: a working day is 9 hours.
TWO_DAYS = 2 * 9 * HOUR


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    business.clear_cache()
    yield
    business.clear_cache()


@pytest.fixture
def office():
    return calendar("Office", "Asia/Shanghai", exceptions=[{"date": dt.date(2026, 12, 7), "kind": "holiday"}])


@pytest.fixture
def item():
    return CatalogItemFactory(name="New laptop")


def local(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def request_target(item, seconds, calendar=None, **kwargs):
    return TargetFactory(ticket_kind="request", service=item.service, target_seconds=seconds, calendar=calendar,
                         **kwargs)


def test_no_target_means_no_expectation(item):
    TargetFactory(ticket_kind="incident", service=item.service)
    assert expected_fulfilment(item) is None
    assert describe_expected(None) == ""


def test_due_skips_the_weekend_and_a_holiday(item, office):
    request_target(item, TWO_DAYS, office)
    # Friday 4 Dec 10:00: 8 h on Friday, Monday 7 Dec is a holiday, 9 h Tuesday, 1 h Wednesday.
    expected = expected_fulfilment(item, start=local(2026, 12, 4, 10))
    assert expected == Expected(TWO_DAYS, local(2026, 12, 9, 10), True, 9 * HOUR)
    assert expected_fulfilment(item, start=local(2026, 12, 1, 10)).due_at == local(2026, 12, 3, 10)


def test_defaults_to_now_on_a_controlled_clock(item, office, monkeypatch):
    request_target(item, TWO_DAYS, office)
    Clock(monkeypatch, start=local(2026, 12, 1, 18, 30))  # after hours on Tuesday
    assert expected_fulfilment(item).due_at == local(2026, 12, 3, 18)


def test_the_request_default_priority_and_the_organization_choose_the_target(item, office):
    acme = factories.OrganizationFactory(name="Acme")
    low = PriorityMatrix.objects.filter(impact=3, urgency=3).values_list("priority", flat=True).first() or 5
    request_target(item, 5 * 9 * HOUR, office)
    request_target(item, 9 * HOUR, office, priority=1)  # not a new request's priority
    request_target(item, TWO_DAYS, office, priority=low, organization=acme,
                   agreement=AgreementFactory(organization=acme))
    start = local(2026, 12, 1, 9)
    assert expected_fulfilment(item, start=start).target_seconds == 5 * 9 * HOUR
    assert expected_fulfilment(item, organization=acme, start=start).target_seconds == TWO_DAYS
    assert expected_fulfilment(item, organization=acme.pk, start=start).target_seconds == TWO_DAYS


def test_bulk_answer_matches_single_answers(office):
    acme = factories.OrganizationFactory(name="Acme")
    items = [CatalogItemFactory() for _ in range(3)]
    request_target(items[0], TWO_DAYS, office)
    TargetFactory(ticket_kind="request", service=None, target_seconds=4 * HOUR)  # every service, 24x7
    request_target(items[2], HOUR, None, organization=acme)
    start = local(2026, 12, 1, 9)
    for organization in (None, acme):
        bulk = expected_for_items(items, organization, start)
        assert bulk == {item.pk: expected_fulfilment(item, organization, start) for item in items}


def test_working_day_is_the_usual_day():
    short_friday = calendar("Short Friday", "UTC", hours=[
        *({"weekday": d, "start": dt.time(9), "end": dt.time(17)} for d in range(4)),
        {"weekday": 4, "start": dt.time(9), "end": dt.time(12)}])
    assert working_day_seconds(short_friday) == 8 * HOUR
    assert working_day_seconds(calendar("Empty", "UTC", hours=[])) == 8 * HOUR


def test_describe_in_the_readers_time_zone_and_language(item, office):
    request_target(item, TWO_DAYS, office)
    expected = expected_fulfilment(item, start=local(2026, 12, 1, 17))
    assert expected.due_at == local(2026, 12, 3, 17)
    with translation.override("en"):
        assert describe_expected(expected, "Asia/Shanghai") == (
            "Usually done within 2 working days; expected by Thu 3 Dec 17:00")
        assert describe_expected(expected, zoneinfo.ZoneInfo("Europe/London")).endswith("Thu 3 Dec 09:00")
    with translation.override("zh-hans"):
        assert "星期四" in describe_expected(expected, "Asia/Shanghai")  # the weekday in the reader's language


@pytest.mark.parametrize("seconds, business_hours, text", [
    (4 * HOUR, True, "within 4 working hours;"),
    (9 * HOUR, True, "within 1 working day;"),
    (20 * HOUR, True, "within 3 working days;"),
    (30 * 60, True, "within 30 working minutes;"),
    (2 * 24 * HOUR, False, "within 2 days;"),
    (5 * HOUR, False, "within 5 hours;"),
    (HOUR, False, "within 1 hour;"),
])
def test_durations(seconds, business_hours, text):
    expected = Expected(seconds, dt.datetime(2026, 12, 3, 9, tzinfo=dt.timezone.utc), business_hours,
                        9 * HOUR if business_hours else 24 * HOUR)
    with translation.override("en"):
        assert text in describe_expected(expected, "UTC")
