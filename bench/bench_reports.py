"""Report timings over 1M tickets on PostgreSQL (not a test; prints figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_reports_bench .venv/bin/python bench/bench_reports.py

Builds (once; kept between runs) N incidents over 24 months with bulk SQL (INSERT ... SELECT generate_series)
into core_ticket / incidents_incident, two SLA timers each (response met; resolution met, breached or running),
and a few major-incident outages; then times the compliance report for a month, a quarter and every grouping,
the breach list, availability and the monthly service report (p50 and best of 5).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

TICKETS_SQL = """
INSERT INTO core_ticket (id, number, kind, title, description, state, impact, urgency, priority, channel,
  service_id, organization_id, team_id, created_at, updated_at, first_response_at, resolved_at, version)
SELECT {base} + i, 'BENCH' || lpad(({base} + i)::text, 9, '0'), 'incident', 'Bench incident ' || i, '',
  CASE WHEN i %% 10 = 0 THEN 'in_progress' ELSE 'resolved' END, 3, 3, 1 + i %% 5, 'portal',
  %(s0)s + i %% %(ns)s, %(o0)s + i %% %(no)s, %(t0)s + i %% %(nt)s,
  timestamptz '2025-01-01' + (i * %(step)s) * interval '1 second',
  timestamptz '2025-01-01' + (i * %(step)s) * interval '1 second',
  timestamptz '2025-01-01' + (i * %(step)s + 60 * (1 + i %% 97)) * interval '1 second',
  CASE WHEN i %% 10 = 0 THEN NULL
       ELSE timestamptz '2025-01-01' + (i * %(step)s + 600 * (1 + i %% 50)) * interval '1 second' END, 1
FROM generate_series(1, %(n)s) AS i
"""
INCIDENTS_SQL = """
INSERT INTO incidents_incident (ticket_ptr_id, on_hold_reason, resolution_code, resolution_notes, reopen_count,
  is_major)
SELECT id, '', '', '', 0, false FROM core_ticket WHERE number LIKE 'BENCH%%'
"""
TIMERS_SQL = """
INSERT INTO slm_slatimer (ticket_id, target_id, metric, state, started_at, elapsed_seconds, elapsed_at, due_at,
  warned_percent, breached_at, stopped_at, met, ticket_kind, ticket_service_id, ticket_team_id,
  ticket_organization_id, ticket_priority, ticket_created_at, ticket_reached_at, counted_at)
SELECT t.id, %(response)s, 'response', 'stopped', t.created_at, 0, t.created_at, t.created_at + interval '1 hour',
  0, NULL, t.first_response_at, true, t.kind, t.service_id, t.team_id, t.organization_id, t.priority,
  t.created_at, t.first_response_at, t.first_response_at
FROM core_ticket t WHERE t.number LIKE 'BENCH%%'
UNION ALL
SELECT t.id, %(resolution)s, 'resolution',
  CASE WHEN t.resolved_at IS NULL THEN 'running' ELSE 'stopped' END, t.created_at, 0, t.created_at,
  t.created_at + interval '4 hours', 0,
  CASE WHEN t.id %% 7 = 0 THEN t.created_at + interval '4 hours' END,
  t.resolved_at,
  CASE WHEN t.resolved_at IS NULL THEN NULL ELSE t.id %% 7 <> 0 END,
  t.kind, t.service_id, t.team_id, t.organization_id, t.priority, t.created_at, t.resolved_at,
  CASE WHEN t.id %% 7 = 0 THEN t.created_at + interval '4 hours' ELSE t.resolved_at END
FROM core_ticket t WHERE t.number LIKE 'BENCH%%'
"""


def setup():
    import django

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the bench builds 1M tickets there).")
    django.setup()
    from django.core.management import call_command

    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)  # slm 0006 fills the timers' ticket copies with one UPDATE ... FROM
    with connection.cursor() as cursor:  # keep the visibility map current: the report scans are index-only
        cursor.execute("VACUUM ANALYZE slm_slatimer")
        cursor.execute("VACUUM ANALYZE core_ticket")
    print(f"migrate + vacuum: {time.perf_counter() - started:.1f} s")


def build(n):
    import datetime

    from django.db import connection, transaction

    from core.models import Organization, Team, Ticket
    from slm.models import Agreement, Service, ServiceLevelTarget

    if Ticket.objects.filter(number__startswith="BENCH").count() >= n:
        return False
    services = [Service.objects.get_or_create(name=f"Bench service {i}")[0] for i in range(20)]
    orgs = [Organization.objects.get_or_create(name=f"Bench customer {i}")[0] for i in range(50)]
    teams = [Team.objects.get_or_create(name=f"Bench team {i}")[0] for i in range(10)]
    agreement, _ = Agreement.objects.get_or_create(name="Bench SLA", defaults={
        "valid_from": datetime.date(2024, 1, 1), "status": Agreement.Status.AGREED,
        "availability_target": "99.900"})
    agreement.services.set(services)
    targets = {m: ServiceLevelTarget.objects.get_or_create(
        agreement=agreement, metric=m, name=f"Bench {m}",
        defaults={"target_seconds": 3600 if m == "response" else 14400, "ticket_kind": "bench"})[0]
        for m in ("response", "resolution")}
    params = {"n": n, "step": int(730 * 86400 / n), "s0": services[0].pk, "ns": 20, "o0": orgs[0].pk, "no": 50,
              "t0": teams[0].pk, "nt": 10, "response": targets["response"].pk,
              "resolution": targets["resolution"].pk}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM core_ticket")
        base = cursor.fetchone()[0] + 1000
        cursor.execute(TICKETS_SQL.format(base=base), params)
        cursor.execute(INCIDENTS_SQL, ())
        cursor.execute(TIMERS_SQL, params)
        cursor.execute("UPDATE incidents_incident SET is_major = true, "
                       "outage_start = t.created_at, outage_end = t.created_at + interval '2 hours' "
                       "FROM core_ticket t WHERE t.id = ticket_ptr_id AND t.number LIKE 'BENCH%%' "
                       "AND t.id %% 5000 = 0", ())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_ticket; ANALYZE incidents_incident; ANALYZE slm_slatimer")
    print(f"built {n:,} tickets, {2 * n:,} timers in {time.perf_counter() - started:.1f} s")
    return True


def timed(label, fn, repeat=5):
    """Runs fn `repeat` times; prints the median (p50) and the best; returns the median."""
    import statistics

    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    median = statistics.median(runs)
    print(f"{label:<48} p50 {median * 1000:8.1f} ms  best {min(runs) * 1000:8.1f} ms")
    return median


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    setup()
    build(args.tickets)
    from core.models import Organization, Ticket
    from slm import reports, reports_service
    from slm.models import Service, SLATimer

    print(f"tickets: {Ticket.objects.count():,}  timers: {SLATimer.objects.count():,}")
    month, quarter = reports.parse_period("2026-03"), reports.parse_period("2026Q1")
    worst = 0
    for group_by in reports.GROUP_BY_CHOICES:
        worst = max(worst, timed(f"compliance 2026-03 by {group_by}", lambda: reports.compliance(month, group_by)))
    worst = max(worst, timed("compliance 2026Q1 by service", lambda: reports.compliance(quarter, "service")))
    worst = max(worst, timed("breach list 2026-03 (200 newest)", lambda: reports.breaches(month)))
    worst = max(worst, timed("availability 2026-03", lambda: reports.availability(month)))
    worst = max(worst, timed("satisfaction 2026-03 by service", lambda: reports.satisfaction(month)))
    service = Service.objects.get(name="Bench service 3")
    org = Organization.objects.get(name="Bench customer 3")
    worst = max(worst, timed("service report 2026-03 (one customer)",
                             lambda: reports_service.service_report(service, org, month)))
    print(f"slowest p50: {worst * 1000:.1f} ms ({'under' if worst < 1 else 'OVER'} one second)")


if __name__ == "__main__":
    main()
