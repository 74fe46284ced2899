"""Prints how fast the business calendar computes due dates and elapsed time (no database needed).

    .venv/bin/python bench/bench_calendar.py
"""

import datetime as dt
import os
import sys
import timeit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django  # noqa: E402

django.setup()

import holidays  # noqa: E402

from slm.calendar import CalendarSpec, due, elapsed  # noqa: E402

H = 3600


def china_office():
    cn = holidays.country_holidays("CN", years=[2026, 2027])
    workdays = {d: [(9 * H, 12 * H), (13 * H, 18 * H)] for d in cn.weekend_workdays if d.year >= 2026}
    return CalendarSpec("Asia/Shanghai", {d: [(9 * H, 12 * H), (13 * H, 18 * H)] for d in range(5)}, workdays,
                        frozenset(cn))


def per_call_us(fn, number):
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main():
    start = dt.datetime(2026, 9, 20, 10, 30, tzinfo=dt.timezone.utc)
    sixty_days = 60 * 8 * H
    cold = china_office()
    t0 = timeit.default_timer()
    result = due(cold, start, sixty_days)
    cold_us = (timeit.default_timer() - t0) * 1e6
    warm = china_office()
    due(warm, start, sixty_days)
    print(f"due 60 working days ahead (CN office hours, holidays, make-up days): {result.isoformat()}")
    print(f"  first call, calendar days not yet cached: {cold_us:8.1f} us")
    print(f"  calendar loaded (cached intervals):       {per_call_us(lambda: due(warm, start, sixty_days), 2000):8.1f} us")
    print(f"  due 4 working hours ahead:                {per_call_us(lambda: due(warm, start, 4 * H), 20000):8.1f} us")
    end = start + dt.timedelta(days=365)
    elapsed(warm, start, end)
    print(f"  elapsed over one year:                    {per_call_us(lambda: elapsed(warm, start, end), 500):8.1f} us")
    around = CalendarSpec("Europe/Berlin", {d: [(0, 86_400)] for d in range(7)})
    due(around, start, 30 * 86_400)
    print(f"  24x7 Europe/Berlin, due 30 days ahead:    {per_call_us(lambda: due(around, start, 30 * 86_400), 2000):8.1f} us")


if __name__ == "__main__":
    main()
