"""Prints the cost of recomputing the running SLA timers of one business calendar after it changed (PostgreSQL).

    BENCH_TIMERS=100000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_slm_recompute_bench \\
        .venv/bin/python bench/bench_calendar_recompute.py

The database is created and migrated if needed; tickets and running timers on one office-hours calendar
(Mon-Fri 09:00-18:00, Asia/Shanghai) are built once with INSERT ... SELECT generate_series and reused. Each run
adds a holiday, as slm.services does, then times the recompute the background task performs
(slm.services.recompute_calendar_batch until a batch comes back short, each batch in its own transaction).
"""

import datetime as dt
import os
import sys
import time
from urllib.parse import urlparse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/itsm_slm_recompute_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
TIMERS = int(os.environ.get("BENCH_TIMERS", 100_000))
CALENDAR = "Bench office hours"


def ensure_database(url):
    import psycopg2

    parts = urlparse(url)
    conn = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username,
                            password=parts.password, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')
    conn.close()


ensure_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.common import insert_columns  # noqa: E402
from slm import services, tasks  # noqa: E402
from slm.models import BusinessCalendar, SLATimer  # noqa: E402
from tests.support.slm_factories import AgreementFactory, TargetFactory, calendar  # noqa: E402


def build():
    call_command("migrate", verbosity=0)
    cal = BusinessCalendar.objects.filter(name=CALENDAR).first() or calendar(CALENDAR)
    existing = SLATimer.objects.filter(target__calendar=cal, state="running").count()
    if existing >= TIMERS:
        return cal, existing
    target = TargetFactory(agreement=AgreementFactory(name=f"Bench recompute SLA {existing}"), calendar=cal,
                           target_seconds=5 * 9 * 3600)
    count = TIMERS - existing
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM core_ticket")
        base = cursor.fetchone()[0]
        columns, selects = insert_columns(cursor, "core_ticket", {
            "id": "nextval(pg_get_serial_sequence('core_ticket', 'id'))", "number": f"'RCB{base}-' || g", "kind": "'incident'",
            "title": "'Bench ticket ' || g", "description": "''", "state": "'in_progress'", "impact": "3",
            "urgency": "3", "priority": "5", "channel": "'api'", "created_at": "now()", "updated_at": "now()",
            "version": "1"})
        cursor.execute(f"INSERT INTO core_ticket ({columns}) SELECT {selects} FROM generate_series(1, %s) AS g",
                       [count])
        columns, selects = insert_columns(cursor, "slm_slatimer", {
            "id": "nextval(pg_get_serial_sequence('slm_slatimer', 'id'))", "ticket_id": "t.id", "target_id": str(target.pk), "metric": "'resolution'", "state": "'running'",
            "started_at": "t.created_at - make_interval(mins => mod(t.id, 600)::int)", "elapsed_seconds": "mod(t.id, 3600)",
            "elapsed_at": "t.created_at", "due_at": "now() + interval '5 days'",
            "next_check_at": "now() + interval '2 days'", "warned_percent": "0", "ticket_kind": "t.kind",
            "ticket_priority": "t.priority", "ticket_created_at": "t.created_at", "calendar_version": "1"})
        cursor.execute(f"INSERT INTO slm_slatimer ({columns}) SELECT {selects} FROM core_ticket t WHERE t.id > %s",
                       [base])
        cursor.execute("ANALYZE core_ticket; ANALYZE slm_slatimer")
    print(f"built {count:,} tickets and running timers in {time.perf_counter() - started:.1f} s")
    return cal, TIMERS


def main():
    cal, total = build()
    queued = []
    tasks.recompute_calendar_timers.delay = lambda *args: queued.append(args)  # run below, in this process
    day = dt.date.today() + dt.timedelta(days=1 + SLATimer.objects.filter(target__calendar=cal).count() % 20)
    with transaction.atomic():
        started = time.perf_counter()
        services.save_calendar(cal, {}, exceptions=[{"date": day, "kind": "holiday", "name": "Bench holiday"}])
        save_ms = (time.perf_counter() - started) * 1000
    assert queued == [(cal.pk,)], queued
    print(f"{total:,} running timers on one calendar; save with a new holiday (queues the recompute): "
          f"{save_ms:.1f} ms")
    started, batches, after = time.perf_counter(), 0, 0
    while after is not None:
        with transaction.atomic():
            after = services.recompute_calendar_batch(cal.pk, after)
        batches += 1
    seconds = time.perf_counter() - started
    print(f"recompute of {total:,} timers: {seconds:.2f} s in {batches} batches of {services.RECOMPUTE_BATCH} "
          f"({total / seconds:,.0f} timers/s)")
    stale = SLATimer.objects.filter(target__calendar=cal).exclude(
        calendar_version=BusinessCalendar.objects.get(pk=cal.pk).version).count()
    print(f"timers left with a stale calendar version: {stale}")


if __name__ == "__main__":
    main()
