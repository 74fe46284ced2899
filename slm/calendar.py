"""Business time: working seconds between two instants and the due instant after N working seconds.

Working time: an instant is working time iff its local wall-clock time falls in [start, end) of an interval
of its local date. A holiday has no intervals; a date with workday exceptions has exactly those (a holiday
on the same date wins); other dates have their weekday's hours. An interval end of 24:00 (stored as 00:00)
is the end of the local day. Daylight-saving days therefore have 23 or 25 hours around the clock.

Each local date is turned into UTC intervals once and cached per calendar id and version, so both
functions walk interval by interval, and due() skips whole cached weeks (a due date 60 working days
ahead is about a dozen steps).
Instants are handled as integer microseconds since the epoch: results are exact.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
US = 1_000_000
DAY_US = 86_400 * US
ONE_DAY = dt.timedelta(days=1)
ONE_WEEK = dt.timedelta(days=7)
# A calendar with no working time in this many days ahead cannot give a due instant.
SEARCH_LIMIT_DAYS = 3660


class CalendarError(ValueError):
    pass


def to_us(instant):
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise CalendarError("naive datetime: a time zone offset is required")
    return (instant - EPOCH) // dt.timedelta(microseconds=1)


def from_us(value):
    return EPOCH + dt.timedelta(microseconds=value)


def seconds_of_day(value, is_end=False):
    """A time as seconds of the day; an end of 00:00 means 24:00."""
    seconds = value.hour * 3600 + value.minute * 60 + value.second
    return 86_400 if is_end and seconds == 0 else seconds


@dataclass
class CalendarSpec:
    """A loaded calendar: weekly hours and dated exceptions as seconds-of-day intervals."""

    timezone: str
    weekly: dict = field(default_factory=dict)  # weekday -> [(start_s, end_s)]
    workdays: dict = field(default_factory=dict)  # date -> [(start_s, end_s)]
    holidays: frozenset = frozenset()
    _days: dict = field(default_factory=dict, repr=False)
    _weeks: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.tz = zoneinfo.ZoneInfo(self.timezone)

    @classmethod
    def from_model(cls, calendar):
        weekly, workdays, holidays = {}, {}, set()
        for hours in calendar.hours.all():
            weekly.setdefault(hours.weekday, []).append(
                (seconds_of_day(hours.start), seconds_of_day(hours.end, is_end=True)))
        for exception in calendar.exceptions.all():
            if exception.kind == "holiday":
                holidays.add(exception.date)
            elif exception.start is not None and exception.end is not None:
                workdays.setdefault(exception.date, []).append(
                    (seconds_of_day(exception.start), seconds_of_day(exception.end, is_end=True)))
        return cls(calendar.timezone, weekly, workdays, frozenset(holidays))

    def local_intervals(self, day):
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.workdays[day]
        return self.weekly.get(day.weekday(), ())

    def local_date(self, instant_us):
        return dt.datetime.fromtimestamp(instant_us // US, self.tz).date()

    def _offset_us(self, instant_us):
        return dt.datetime.fromtimestamp(instant_us // US, self.tz).utcoffset() // dt.timedelta(microseconds=1)

    def _segments(self, lo, hi):
        """[(from, to, utc offset)] pieces of [lo, hi) with a constant offset (DST transitions split it)."""
        first = self._offset_us(lo)
        if self._offset_us(hi - US) == first:
            return [(lo, hi, first)]
        a, b = lo // US, (hi - US) // US  # offset(a) == first != offset(b): find the first changed second
        while b - a > 1:
            mid = (a + b) // 2
            if self._offset_us(mid * US) == first:
                a = mid
            else:
                b = mid
        return [(lo, b * US, first)] + self._segments(b * US, hi)

    def day(self, day):
        """The UTC working intervals [(from_us, to_us)] of a local date, sorted and merged (cached)."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        local = self.local_intervals(day)
        result = []
        if local:
            start = to_us(dt.datetime.combine(day, dt.time(0), tzinfo=self.tz))
            end = to_us(dt.datetime.combine(day + ONE_DAY, dt.time(0), tzinfo=self.tz))
            wall_midnight = to_us(dt.datetime.combine(day, dt.time(0), tzinfo=UTC))
            pieces = []
            for seg_from, seg_to, offset in self._segments(start, end):
                for s, e in local:
                    lo = max(seg_from, wall_midnight + s * US - offset)
                    hi = min(seg_to, wall_midnight + e * US - offset)
                    if lo < hi:
                        pieces.append((lo, hi))
            for lo, hi in sorted(pieces):
                if result and lo <= result[-1][1]:
                    result[-1] = (result[-1][0], max(hi, result[-1][1]))
                else:
                    result.append((lo, hi))
        result = tuple(result)
        self._days[day] = result
        return result

    def elapsed_us(self, start, end):
        if end <= start:
            return 0
        total = 0
        day = self.local_date(start) - ONE_DAY
        last = self.local_date(end) + ONE_DAY
        while day <= last:
            for lo, hi in self.day(day):
                lo, hi = max(lo, start), min(hi, end)
                if lo < hi:
                    total += hi - lo
            day += ONE_DAY
        return total

    def week(self, monday):
        """(UTC working intervals of the 7 local dates from monday, their total length), cached."""
        cached = self._weeks.get(monday)
        if cached is None:
            intervals = tuple(iv for offset in range(7) for iv in self.day(monday + dt.timedelta(days=offset)))
            cached = (intervals, sum(hi - lo for lo, hi in intervals))
            self._weeks[monday] = cached
        return cached

    def due_us(self, start, amount):
        if amount <= 0:
            return start
        remaining = amount
        first = self.local_date(start) - ONE_DAY
        week_start = first - dt.timedelta(days=first.weekday())
        for _ in range(SEARCH_LIMIT_DAYS // 7):
            intervals, total = self.week(week_start)
            week_start += ONE_WEEK
            if not intervals or intervals[-1][1] <= start:
                continue
            if intervals[0][0] >= start and total < remaining:
                remaining -= total  # the whole week counts: skip it in one step
                continue
            for lo, hi in intervals:
                if hi <= start:
                    continue
                lo = max(lo, start)
                if remaining <= hi - lo:
                    return lo + remaining
                remaining -= hi - lo
        raise CalendarError("the calendar has no working time in the next ten years")


_cache = {}


def load(calendar):
    """A BusinessCalendar as a CalendarSpec, cached per (id, version); None and specs pass through."""
    if calendar is None or isinstance(calendar, CalendarSpec):
        return calendar
    key = calendar.pk
    hit = _cache.get(key)
    if hit is not None and hit[0] == calendar.version:
        return hit[1]
    spec = CalendarSpec.from_model(calendar)
    _cache[key] = (calendar.version, spec)
    return spec


def clear_cache():
    _cache.clear()


def elapsed_us(calendar, start_us, end_us):
    spec = load(calendar)
    if spec is None:
        return max(0, end_us - start_us)
    return spec.elapsed_us(start_us, end_us)


def due_us(calendar, start_us, amount_us):
    spec = load(calendar)
    if spec is None:
        return start_us + max(0, amount_us)
    return spec.due_us(start_us, amount_us)


def elapsed(calendar, start, end):
    """Working seconds in [start, end) (0 if end <= start); calendar None means 24x7. Aware datetimes only."""
    value = elapsed_us(calendar, to_us(start), to_us(end))
    return value // US if value % US == 0 else value / US


def due(calendar, start, seconds):
    """The earliest instant t > start with exactly `seconds` working seconds in [start, t); start if 0."""
    if seconds < 0:
        raise CalendarError("seconds must not be negative")
    return from_us(due_us(calendar, to_us(start), round(seconds * US)))
