"""How a service desk's week looks: when incidents arrive, how fast they are picked up and resolved.

Pure functions of a random.Random and instants, so the history is reproducible. Times are read in the office's
time zone (Europe/London, the demo users' profile zone); the agreement is 24x7, the desk staffed around the
clock but thinly at night and at weekends.
"""

import datetime
import math
import zoneinfo

OFFICE = zoneinfo.ZoneInfo("Europe/London")
OPEN_HOUR, CLOSE_HOUR = 8, 18

# Incidents per day: weekdays busy (Monday most), weekends quiet: about 600 in six months, what a desk of
# three serving three customers sees (and what seeds in well under a minute).
DAILY_VOLUME = {0: 5.5, 1: 4.5, 2: 4.5, 3: 4.5, 4: 4.0, 5: 0.8, 6: 0.5}
# Relative arrivals per local hour: a morning peak, a smaller one after lunch, little at night.
WEEKDAY_HOURS = [0.1, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 1.2, 4, 7, 7, 6, 3.5, 5, 5, 4, 3, 2, 1, 0.6, 0.4, 0.3,
                 0.2, 0.15]
WEEKEND_HOURS = [0.2] * 7 + [0.6, 1, 1.5, 1.5, 1.5, 1.2, 1, 1, 1, 0.8, 0.6, 0.4, 0.3, 0.3, 0.2, 0.2, 0.2]

# Priority: median minutes to pick up, median hours of work to resolve (wall clock, on-hold time excluded).
PICKUP_MINUTES = {1: 5, 2: 12, 3: 35, 4: 90, 5: 180}
WORK_HOURS = {1: 1.5, 2: 3, 3: 7, 4: 20, 5: 40}
# Low priorities are only worked on during office hours.
OFFICE_HOURS_ONLY = {4, 5}


def local(instant):
    return instant.astimezone(OFFICE)


def is_office_hours(instant):
    t = local(instant)
    return t.weekday() < 5 and OPEN_HOUR <= t.hour < CLOSE_HOUR


def next_office_morning(instant, rng):
    """The next opening of the office after `instant`, plus a few minutes of catching up."""
    t = local(instant)
    day = t.date() if t.hour < OPEN_HOUR else t.date() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    opening = datetime.datetime.combine(day, datetime.time(OPEN_HOUR), OFFICE)
    return opening + datetime.timedelta(minutes=rng.uniform(5, 75))


def in_office_hours(instant, rng):
    """`instant` if the office is open then, else the next morning."""
    return instant if is_office_hours(instant) else next_office_morning(instant, rng)


def month_strain(rng, months):
    """A workload factor per (year, month): >1 means a stretched month (holidays, a big roll-out) with
    slower pickups and resolutions, <1 a calm one. Drawn once per month, so compliance varies by month."""
    return {month: rng.choice([0.8, 0.9, 1.0, 1.1, 1.3, 1.6]) for month in months}


def _poisson(rng, mean):
    # Knuth's method: fine for the small means of a day's volume.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def arrivals(rng, day, scale=1.0):
    """Sorted arrival instants of incidents on a local calendar day."""
    weekday = day.weekday()
    weights = WEEKDAY_HOURS if weekday < 5 else WEEKEND_HOURS
    count = _poisson(rng, DAILY_VOLUME[weekday] * scale)
    hours = rng.choices(range(24), weights=weights, k=count)
    start = datetime.datetime.combine(day, datetime.time(), OFFICE)
    return sorted(start + datetime.timedelta(hours=h, seconds=rng.uniform(0, 3600)) for h in hours)


def _lognormal(rng, median, sigma):
    return median * math.exp(rng.gauss(0, sigma))


def pickup_delay(rng, created, priority, strain):
    """Time from creation to an agent taking the incident (its first response)."""
    minutes = _lognormal(rng, PICKUP_MINUTES[priority] * strain, 0.7)
    if not is_office_hours(created):
        minutes *= 1.5 if priority <= 2 else 2.5  # the night and weekend shift is thin
    return datetime.timedelta(minutes=max(1.0, minutes))


def work_duration(rng, priority, strain):
    """Wall-clock time an agent needs to resolve, on-hold time not included."""
    hours = _lognormal(rng, WORK_HOURS[priority] * strain, 0.75)
    return datetime.timedelta(hours=max(0.1, hours))


def resolve_instant(rng, instant, priority):
    """Low priorities are resolved during office hours; urgent ones whenever they are done."""
    return in_office_hours(instant, rng) if priority in OFFICE_HOURS_ONLY else instant


def hold_duration(rng, reason_index):
    """Waiting for the caller: hours; for a vendor or a change window: a day or more."""
    median = (4, 30, 40)[reason_index]
    return datetime.timedelta(hours=max(0.5, _lognormal(rng, median, 0.6)))
