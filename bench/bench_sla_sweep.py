"""Prints the SLA sweep's cost with 1M running timers and 0, 100 and 10,000 of them due (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_slm_bench .venv/bin/python bench/bench_sla_sweep.py

The database is created and migrated if needed; tickets and timers are built once with INSERT ... SELECT
generate_series and reused by later runs. Each scenario marks N timers due, then times the due-selection
query (the part that must not grow with the table) and a full sweep (flags, events, audit entries).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/itsm_slm_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
TIMERS = int(os.environ.get("BENCH_TIMERS", 1_000_000))

from bench.common import ensure_database  # noqa: E402

ensure_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from slm import sweep  # noqa: E402
from slm.models import SLATimer  # noqa: E402
from tests.support.slm_factories import AgreementFactory, TargetFactory  # noqa: E402

FUTURE = "now() + interval '30 days'"


def build():
    started = time.perf_counter()
    call_command("migrate", verbosity=0)  # slm 0006 fills the timers' ticket copies with one UPDATE ... FROM
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if SLATimer.objects.count() >= TIMERS:
        return
    target = TargetFactory(agreement=AgreementFactory(name="Bench SLA"), calendar=None, target_seconds=4 * 3600)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM core_ticket")
        base = cursor.fetchone()[0]
        started = time.perf_counter()
        cursor.execute(f"""
            INSERT INTO core_ticket (number, kind, title, description, state, impact, urgency, priority, channel,
                                     created_at, updated_at, version)
            SELECT 'BENCH' || lpad((g + {base})::text, 9, '0'), 'incident', 'Bench ticket ' || g, '', 'in_progress',
                   3, 3, 5, 'api', now(), now(), 1
            FROM generate_series(1, %s) AS g""", [TIMERS])
        cursor.execute(f"""
            INSERT INTO slm_slatimer (ticket_id, target_id, metric, state, started_at, elapsed_seconds, elapsed_at,
                                      due_at, next_check_at, warned_percent, ticket_kind, ticket_priority,
                                      ticket_created_at)
            SELECT t.id, %s, 'resolution', 'running', now(), 0, now(), {FUTURE}, {FUTURE}, 0, t.kind, t.priority,
                   t.created_at
            FROM core_ticket t WHERE t.id > %s""", [target.pk, base])
        cursor.execute("ANALYZE core_ticket; ANALYZE slm_slatimer")
        print(f"built {TIMERS:,} tickets and running timers in {time.perf_counter() - started:.1f} s")


def make_due(count):
    """Reset every timer to not due, then make `count` of them due (their breach instant has passed)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE slm_slatimer SET next_check_at = {FUTURE}, due_at = {FUTURE}, warned_percent = 0,"
                       " breached_at = NULL, counted_at = NULL WHERE next_check_at IS NULL OR next_check_at <= now()"
                       " OR breached_at IS NOT NULL")
        if count:
            cursor.execute("""UPDATE slm_slatimer SET next_check_at = now() - interval '1 minute',
                              due_at = now() - interval '1 minute', warned_percent = 90
                              WHERE id IN (SELECT id FROM slm_slatimer ORDER BY id LIMIT %s)""", [count])
        cursor.execute("ANALYZE slm_slatimer")


def time_selection(now):
    with transaction.atomic():
        started = time.perf_counter()
        ids = sweep.due_timer_ids(now, sweep.BATCH_SIZE)
        return (time.perf_counter() - started) * 1000, len(ids)


def main():
    build()
    total = SLATimer.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + str(SLATimer.objects.filter(next_check_at__lte=timezone.now())
                                        .order_by("next_check_at", "id").values("id")[:500].query)
                       .replace("+00:00", "+00:00'").replace("<= 2", "<= '2"))
        plan = "\n    ".join(row[0] for row in cursor.fetchall())
    print(f"{total:,} SLA timers; plan of the due-selection query:\n    {plan}")
    for due in (0, 100, 10_000):
        make_due(due)
        now = timezone.now()
        select_ms, batch = time_selection(now)
        started = time.perf_counter()
        flagged = sweep.sweep_all(now, max_batches=100)
        sweep_s = time.perf_counter() - started
        rate = f"{flagged / sweep_s:,.0f} timers/s" if flagged else "-"
        print(f"due={due:>6,}: select first batch {select_ms:7.2f} ms ({batch} rows); "
              f"full sweep {sweep_s:7.2f} s for {flagged:,} timers ({rate})")
    make_due(0)


if __name__ == "__main__":
    main()
