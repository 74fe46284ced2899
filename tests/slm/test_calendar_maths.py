"""The calendar maths: DST, holidays, make-up workdays, 24:00, zero and multi-week durations."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slm.calendar import CalendarError, CalendarSpec, due, elapsed

H = 3600
NY, BERLIN, SHANGHAI = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Shanghai")


def spec(tz, weekly=None, workdays=None, holidays=()):
    return CalendarSpec(tz, weekly or {}, workdays or {}, frozenset(holidays))


def all_day(tz):
    return spec(tz, {d: [(0, 86_400)] for d in range(7)})


def office(tz="Asia/Shanghai", **kw):
    return spec(tz, {d: [(9 * H, 12 * H), (13 * H, 18 * H)] for d in range(5)}, **kw)


@pytest.mark.parametrize("tz, day, hours", [
    ("America/New_York", dt.date(2026, 3, 8), 23), ("America/New_York", dt.date(2026, 11, 1), 25),
    ("Europe/Berlin", dt.date(2026, 3, 29), 23), ("Europe/Berlin", dt.date(2026, 10, 25), 25),
    ("Europe/Berlin", dt.date(2026, 7, 1), 24),
])
def test_dst_days_around_the_clock(tz, day, hours):
    zone = ZoneInfo(tz)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    assert elapsed(all_day(tz), start, end) == hours * H
    assert due(all_day(tz), start, hours * H) == end


def test_wall_clock_interval_across_the_spring_gap_and_autumn_fold():
    cal = spec("Europe/Berlin", {6: [(1 * H, 4 * H)]})  # Sundays 01:00-04:00
    spring = dt.datetime(2026, 3, 29, tzinfo=BERLIN)
    assert elapsed(cal, spring, spring + dt.timedelta(days=1)) == 2 * H  # 02:00-03:00 does not exist
    autumn = dt.datetime(2026, 10, 25, tzinfo=BERLIN)
    assert elapsed(cal, autumn, autumn + dt.timedelta(days=1)) == 4 * H  # 02:00-03:00 happens twice
    # The due instant after 1.5 working hours on the spring day is 03:30 CEST.
    assert due(cal, spring, 1.5 * H) == dt.datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)


def test_new_york_office_hours_across_dst_change():
    cal = spec("America/New_York", {d: [(9 * H, 17 * H)] for d in range(5)})
    friday = dt.datetime(2026, 3, 6, 16, 0, tzinfo=NY)
    assert due(cal, friday, 2 * H) == dt.datetime(2026, 3, 9, 10, 0, tzinfo=NY)
    assert elapsed(cal, friday, dt.datetime(2026, 3, 9, 10, 0, tzinfo=NY)) == 2 * H


def test_holidays_and_make_up_workdays():
    cal = office(holidays={dt.date(2026, 10, 1)}, workdays={dt.date(2026, 9, 27): [(9 * H, 18 * H)]})
    sunday = dt.datetime(2026, 9, 27, tzinfo=SHANGHAI)
    assert elapsed(cal, sunday, sunday + dt.timedelta(days=1)) == 9 * H  # replaces the weekday's (no) hours
    holiday = dt.datetime(2026, 10, 1, tzinfo=SHANGHAI)
    assert elapsed(cal, holiday, holiday + dt.timedelta(days=1)) == 0
    assert due(cal, dt.datetime(2026, 9, 30, 18, tzinfo=SHANGHAI), 1) == \
        dt.datetime(2026, 10, 2, 9, 0, 1, tzinfo=SHANGHAI)


def test_end_at_24_00_and_end_of_interval():
    cal = spec("UTC", {0: [(22 * H, 86_400)], 1: [(0, 2 * H)]})
    monday = dt.datetime(2026, 3, 2, 22, tzinfo=dt.timezone.utc)
    assert elapsed(cal, monday, monday + dt.timedelta(hours=4)) == 4 * H
    assert due(cal, monday, 2 * H) == dt.datetime(2026, 3, 3, 0, tzinfo=dt.timezone.utc)
    assert due(cal, monday, 4 * H) == dt.datetime(2026, 3, 3, 2, tzinfo=dt.timezone.utc)
    # A target ending at the end of an interval never moves to the start of the next one.
    office_cal = office("UTC")
    assert due(office_cal, dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc), 3 * H) == \
        dt.datetime(2026, 3, 2, 12, tzinfo=dt.timezone.utc)


def test_zero_negative_and_multi_week():
    cal = office()
    start = dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
    assert due(cal, start, 0) == start
    assert elapsed(cal, start, start) == 0 and elapsed(cal, start, start - dt.timedelta(days=1)) == 0
    three_weeks = due(cal, start, 15 * 8 * H)
    assert three_weeks == dt.datetime(2026, 3, 23, 10, tzinfo=SHANGHAI)
    assert elapsed(cal, start, three_weeks) == 15 * 8 * H
    with pytest.raises(CalendarError):
        due(spec("UTC"), start, 1)
    with pytest.raises(CalendarError):
        elapsed(cal, dt.datetime(2026, 3, 2), start)


def test_24x7_without_calendar():
    start = dt.datetime(2026, 3, 8, tzinfo=NY)
    # 24 real hours after midnight on the 23-hour day is 01:00 local the next day.
    assert due(None, start, 86_400) == dt.datetime(2026, 3, 9, 1, tzinfo=NY)
    assert elapsed(None, start, start + dt.timedelta(hours=5)) == 4 * H  # 05:00 local is 4 real hours later


CALENDARS = [office(), all_day("America/New_York"), spec("Europe/Berlin", {6: [(1 * H, 4 * H)], 2: [(0, 86_400)]}),
             office(holidays={dt.date(2026, 10, 1)}, workdays={dt.date(2026, 9, 27): [(9 * H, 18 * H)]})]


@settings(max_examples=300, deadline=None)
@given(cal=st.sampled_from(CALENDARS),
       start=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31),
                          timezones=st.sampled_from([dt.timezone.utc, NY, BERLIN, SHANGHAI])),
       seconds=st.integers(min_value=0, max_value=60 * 86_400))
def test_elapsed_of_due_is_the_duration(cal, start, seconds):
    end = due(cal, start, seconds)
    assert end >= start
    assert elapsed(cal, start, end) == seconds
    if seconds:  # earliest: a microsecond earlier has fewer working seconds
        assert elapsed(cal, start, end - dt.timedelta(microseconds=1)) < seconds
