"""Change conflict benchmark: 100k changes with CIs, affected services and windows over two years, built with
bulk SQL on PostgreSQL; prints changes.conflicts.for_change / for_range timings and their EXPLAIN plans.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_schedule .venv/bin/python bench/change_conflicts.py

The data (kept for --reuse): 5,000 CIs (10 "hot" ones, e.g. core switches, on 1 % of the changes each) and 200
services (5 critical ones on 10 % of the changes); every change touches 1-3 CIs and affects 1-3 services, over a
window of 1-6 hours (every 50th: two days) placed between 18 months ago and 6 months ahead. Changes whose window
is past are mostly closed (88 % closed, 4 % cancelled, 3 % rejected, 5 % left open: the stale ones a real
schedule has); future ones are open. 30 blackout windows, a third of them global.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/itsm_schedule")

CIS, HOT_CIS, SERVICES, HOT_SERVICES, BLACKOUTS = 5_000, 10, 200, 5, 30
PAST_DAYS, FUTURE_DAYS = 548, 182


def ensure_database(url):
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def build(cursor, count):
    from bench.common import insert_columns

    cursor.execute("TRUNCATE changes_changeci, changes_changeservice, changes_blackoutwindow_services, "
                   "changes_blackoutwindow RESTART IDENTITY")
    cursor.execute("DELETE FROM changes_change WHERE ticket_ptr_id IN (SELECT id FROM core_ticket WHERE number "
                   "LIKE 'CHGB%%')")
    cursor.execute("DELETE FROM core_ticket WHERE number LIKE 'CHGB%%'")
    cursor.execute("DELETE FROM cmdb_configurationitem WHERE name LIKE 'bench-ci-%%'")
    cursor.execute("DELETE FROM slm_service WHERE name LIKE 'bench-service-%%'")
    cursor.execute("SELECT id FROM cmdb_ciclass ORDER BY id LIMIT 1")
    class_id = cursor.fetchone()[0]
    cursor.execute("""INSERT INTO cmdb_configurationitem (name, ci_class_id, status, environment, attributes,
                          location, description, created_at, updated_at)
                      SELECT 'bench-ci-' || lpad(g::text, 5, '0'), %s, 'in_use', 'production', '{}', '', '',
                             now(), now() FROM generate_series(1, %s) g RETURNING id""", [class_id, CIS])
    ci_ids = sorted(row[0] for row in cursor.fetchall())
    cursor.execute(f"""INSERT INTO slm_service (name, description, status, criticality)
                       SELECT 'bench-service-' || lpad(g::text, 3, '0'), '', 'live',
                              CASE WHEN g <= {HOT_SERVICES} THEN 1 ELSE 3 END
                       FROM generate_series(1, {SERVICES}) g RETURNING id""")
    service_ids = sorted(row[0] for row in cursor.fetchall())

    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM core_ticket")
    base_id = cursor.fetchone()[0]
    span = (PAST_DAYS + FUTURE_DAYS) * 86400
    # window of change g: spread evenly, at 18:00-23:00, 1-6 hours (every 50th: 2 days)
    start_sql = (f"date_trunc('hour', now() - interval '{PAST_DAYS} days' + make_interval(secs => {span} * g::float8 "
                 f"/ {count})) ")
    end_sql = "w.s + CASE WHEN g % 50 = 0 THEN interval '2 days' ELSE make_interval(hours => (1 + g % 6)::int) END"
    state_sql = ("CASE WHEN w.e > now() THEN (ARRAY['new','assess','authorize','scheduled'])[1 + g % 4] "
                 "WHEN (g * 7919) % 100 < 88 THEN 'closed' WHEN (g * 7919) % 100 < 92 THEN 'cancelled' "
                 "WHEN (g * 7919) % 100 < 95 THEN 'rejected' ELSE (ARRAY['review','implement','scheduled'])[1 + g % 3] "
                 "END")
    ticket = {
        "id": f"{base_id} + g", "number": "'CHGB' || lpad(g::text, 7, '0')", "kind": "'change'",
        "title": "'Bench change #' || g", "description": "''", "state": "st.state", "impact": "2", "urgency": "2",
        "priority": "3", "channel": "'portal'", "created_at": "w.s - interval '7 days'",
        "updated_at": "w.s - interval '7 days'", "version": "1",
        "closed_at": "CASE WHEN st.state IN ('closed','cancelled','rejected') THEN w.e + interval '1 day' END",
    }
    columns, selects = insert_columns(cursor, "core_ticket", ticket)
    cursor.execute(f"""
        INSERT INTO core_ticket ({columns}) SELECT {selects}
        FROM generate_series(1::bigint, {count}) AS g
        CROSS JOIN LATERAL (SELECT {start_sql} AS s) AS w0
        CROSS JOIN LATERAL (SELECT w0.s AS s, {end_sql.replace('w.s', 'w0.s')} AS e) AS w
        CROSS JOIN LATERAL (SELECT {state_sql} AS state) AS st""")
    change = {"ticket_ptr_id": "t.id", "change_type": "'normal'", "planned_start": "w.s", "planned_end": "w.e",
              "risk_level": "1 + t.id % 3", "risk_answers": "'{}'::jsonb", "risk_inputs": "'{}'::jsonb",
              "review_required": "false"}
    columns, selects = insert_columns(cursor, "changes_change", change)
    cursor.execute(f"""
        INSERT INTO changes_change ({columns}) SELECT {selects}
        FROM core_ticket t CROSS JOIN LATERAL (SELECT t.id - {base_id} AS g) AS gg
        CROSS JOIN LATERAL (SELECT {start_sql.replace('g::', 'gg.g::')} AS s) AS w0
        CROSS JOIN LATERAL (SELECT w0.s AS s, {end_sql.replace('w.s', 'w0.s').replace('g %', 'gg.g %')} AS e) AS w
        WHERE t.id > {base_id}""")

    def pick(ids, expr, hot, hot_every):
        cold = f"(ARRAY[{','.join(map(str, ids[hot:]))}]::bigint[])[1 + (({expr}) % {len(ids) - hot})]"
        hot_pick = f"(ARRAY[{','.join(map(str, ids[:hot]))}]::bigint[])[1 + (({expr}) % {hot})]"
        return f"CASE WHEN g % {hot_every} = 0 THEN {hot_pick} ELSE {cold} END"

    closed = "('closed','cancelled','rejected')"
    for table, column, ids, hot, hot_every, fanout in (
            ("changes_changeci", "configuration_item_id", ci_ids, HOT_CIS, 10, "(1 + g % 3)"),
            ("changes_changeservice", "service_id", service_ids, HOT_SERVICES, 3, "(1 + (g / 3) % 3)")):
        cursor.execute(f"""
            INSERT INTO {table} (change_id, {column}, planned_start, planned_end, active)
            SELECT c.ticket_ptr_id, {pick(ids, 'g * 31 + k * 977', hot, hot_every)}, c.planned_start,
                   c.planned_end, t.state NOT IN {closed}
            FROM changes_change c JOIN core_ticket t ON t.id = c.ticket_ptr_id
            CROSS JOIN LATERAL (SELECT c.ticket_ptr_id - {base_id} AS g) AS gg(g)
            CROSS JOIN LATERAL generate_series(0, {fanout} - 1) AS k
            WHERE c.ticket_ptr_id > {base_id} AND (k = 0 OR g % 10 <> 0)
            ON CONFLICT DO NOTHING""")
    cursor.execute(f"""INSERT INTO changes_blackoutwindow (name, start, "end", reason, created_at)
                       SELECT 'Bench blackout ' || g, date_trunc('day', now() - interval '{PAST_DAYS} days'
                              + make_interval(days => g * {(PAST_DAYS + FUTURE_DAYS) // BLACKOUTS})),
                              date_trunc('day', now() - interval '{PAST_DAYS} days'
                              + make_interval(days => g * {(PAST_DAYS + FUTURE_DAYS) // BLACKOUTS} + 2)), '', now()
                       FROM generate_series(0, {BLACKOUTS - 1}) g RETURNING id""")
    for index, (window_id,) in enumerate(sorted(cursor.fetchall())):
        if index % 3:
            cursor.execute("INSERT INTO changes_blackoutwindow_services (blackoutwindow_id, service_id) "
                           "VALUES (%s, %s), (%s, %s)", [window_id, service_ids[index % HOT_SERVICES],
                                                         window_id, service_ids[HOT_SERVICES + index]])
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('core_ticket', 'id'), {base_id + count})")


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[-1], result


def explain(cursor, sql, limit=40):
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
    lines = [row[0] for row in cursor.fetchall()]
    print("\n".join("    " + line for line in lines[:limit]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="reuse data from a previous run")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        sys.exit("This benchmark builds its data with PostgreSQL SQL; set DATABASE_URL to a PostgreSQL database.")
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from changes import conflicts
    from changes.models import Change, ChangeCI

    call_command("migrate", verbosity=0, skip_checks=True)
    have = Change.objects.filter(number__startswith="CHGB").count()
    if not args.reuse or have != args.changes:
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            build(cursor, args.changes)
        with connection.cursor() as cursor:
            for table in ("core_ticket", "changes_change", "changes_changeci", "changes_changeservice",
                          "changes_blackoutwindow"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        print(f"built data in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '120s'")
        counts = {}
        for table in ("changes_change", "changes_changeci", "changes_changeservice"):
            cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE {'true' if table == 'changes_change' else 'active'}) "
                           f"FROM {table}")
            counts[table] = cursor.fetchone()
    open_changes = Change.objects.filter(number__startswith="CHGB").exclude(
        state__in=conflicts.CLOSED_STATES).count()
    print(f"{counts['changes_change'][0]:,} changes ({open_changes:,} open), "
          f"{counts['changes_changeci'][0]:,} CI rows ({counts['changes_changeci'][1]:,} active), "
          f"{counts['changes_changeservice'][0]:,} service rows ({counts['changes_changeservice'][1]:,} active); "
          f"PostgreSQL {connection.pg_version}; {args.repeat} runs each")

    now = timezone.now()
    bench = Change.objects.filter(number__startswith="CHGB").exclude(state__in=conflicts.CLOSED_STATES)
    hot_ci = ChangeCI.objects.filter(configuration_item__name="bench-ci-00001").values("change_id")
    picks = [
        ("open change next week", bench.filter(planned_start__gte=now + timedelta(days=7)).order_by("planned_start")
         .first()),
        ("open change on a hot CI, in 2 months", bench.filter(pk__in=hot_ci, planned_start__gte=now + timedelta(
            days=60)).order_by("planned_start").first()),
        ("stale open change a year ago", bench.filter(planned_end__lt=now - timedelta(days=365)).order_by(
            "-planned_start").first()),
    ]
    print(f"\n{'measurement':52} {'p50 ms':>8} {'max ms':>8} {'conflicts':>10} {'queries':>8}")
    captured = {}
    for name, change in picks:
        with CaptureQueriesContext(connection) as ctx:
            conflicts.for_change(change)
        p50, worst, found = timed(lambda: conflicts.for_change(change), args.repeat)
        captured[name] = ctx.captured_queries
        print(f"for_change: {name:40} {p50:8.1f} {worst:8.1f} {len(found):10d} {len(ctx.captured_queries):8d}")
    month_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for name, start in (("next 31 days", month_start), ("31 days, 4 months ahead", month_start + timedelta(120)),
                        ("31 days, a year ago", month_start - timedelta(365))):
        end = start + timedelta(days=31)
        with CaptureQueriesContext(connection) as ctx:
            conflicts.for_range(start, end)
        p50, worst, found = timed(lambda: conflicts.for_range(start, end), args.repeat)
        captured[name] = ctx.captured_queries
        total = sum(len(v) for v in found.values())
        print(f"for_range: {name:41} {p50:8.1f} {worst:8.1f} {total:10d} {len(ctx.captured_queries):8d}   "
              f"({len(found):,} open changes in range)")
    sys.stdout.flush()
    if args.no_explain:
        return
    with connection.cursor() as cursor:
        for name in ("open change on a hot CI, in 2 months", "next 31 days"):
            for query in captured[name]:
                sql = query["sql"]
                if "EXPLAIN" in sql or "SAVEPOINT" in sql:
                    continue
                print(f"\nEXPLAIN ({name}): {sql[:160]}...")
                explain(cursor, sql)


if __name__ == "__main__":
    main()
