"""Event ingestion and processing throughput, beside a minimal Django endpoint that stores one row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench_events \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/bench_events.py --seconds 15

Acceptance is measured over HTTP: a gunicorn with --workers sync workers (default 2, one per core) on a free
loopback port serves the whole project plus the baseline endpoint of bench/common.py (DRF, no auth, one raw
INSERT), so the baseline shares process, middleware and database. The client is the standard library
(http.client, keep-alive) in 1 and then --clients threads, each measurement stopping after --seconds. The
client runs on the same cores as the server and PostgreSQL, as the baseline's client does, so compare the
ratio "vs minimal" rather than the absolute figures. The accepted events are published to the broker in
CELERY_BROKER_URL (one message per 0.2 s per worker), which is purged at the end: nobody consumes them here.

Processing is measured in this process, calling what the Celery task calls (batches of 100 ids), in phases:
new alerts (half of them open an incident: the default rule takes major and critical), new alerts that each
open an incident, repeats of open alerts with the rate-limited work notes due on a first repeat, and a round of
repeats with no work note due. Each phase prints events/s and queries per event.
The database named in DATABASE_URL is created and migrated if needed, and its events and alerts are emptied.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
os.environ.setdefault("DEBUG", "0")  # no query log
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("LOG_LEVEL", "ERROR")


def ensure_database():
    import dj_database_url
    import psycopg2

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is created if missing).")
    config = dj_database_url.parse(url)
    conn = psycopg2.connect(dbname="postgres", user=config["USER"], password=config["PASSWORD"],
                            host=config["HOST"], port=config["PORT"] or 5432)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    conn.close()


ensure_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.common import Result, Server, create_baseline_table, print_table  # noqa: E402


def event(i, nodes=500):
    return {"source": "bench", "node": f"node{i % nodes:04d}", "check": f"check{i % 7}",
            "severity": ("critical", "warning", "major", "minor")[i % 4], "message": "load test",
            "time": "2026-11-24T10:00:00Z", "labels": {"env": "bench", "seq": str(i)}}


def setup_data():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.models import ApiToken
    from events.models import Alert, Event

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        create_baseline_table(cursor)
        cursor.execute(f"TRUNCATE {Alert._meta.db_table}, {Event._meta.db_table} RESTART IDENTITY CASCADE")
    user, _ = get_user_model().objects.get_or_create(username="bench-integration")
    user.groups.add(Group.objects.get(name="integration"))
    ApiToken.objects.filter(user=user, name="bench").delete()  # one token, however often the bench runs
    _, key = ApiToken.generate(user, "bench")
    return key


def measure_for(name, port, url, *, seconds, clients, body_fn, headers, expect, warmup=20):
    """POST body_fn(i) to url from `clients` threads (one keep-alive connection each) until `seconds` have
    passed; a Result with one latency per answered request (an answer outside `expect` is an error)."""
    for i in range(warmup):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", url, body=body_fn(-1 - i), headers=headers)
        conn.getresponse().read()
        conn.close()
    latencies, errors, statuses = [], [], {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(slot):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = slot * 10_000_000
        mine = []
        while time.perf_counter() < deadline:
            body = body_fn(i)
            i += 1
            began = time.perf_counter()
            try:
                conn.request("POST", url, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                with lock:
                    errors.append(repr(exc))
                continue
            elapsed = time.perf_counter() - began
            if response.status in expect:
                mine.append(elapsed)
            else:
                with lock:
                    errors.append(f"{response.status}: {data[:200]!r}")
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(name, latencies, time.perf_counter() - began, errors, statuses)


def measure_accept(args, key):
    database_url = os.environ["DATABASE_URL"]
    token = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
    plain = {"Content-Type": "application/json"}
    batches = [json.dumps([event(b * 100 + i) for i in range(100)]).encode() for b in range(50)]
    cases = [
        ("minimal DRF create (raw INSERT)", "/bench/minimal/create/", plain, (201,),
         lambda i: json.dumps({"title": f"row {i}"}).encode(), 1),
        ("POST /api/v1/events/ single", "/api/v1/events/", token, (202,),
         lambda i: json.dumps(event(i)).encode(), 1),
        ("POST /api/v1/events/ batches of 100", "/api/v1/events/", token, (202,),
         lambda i: batches[i % len(batches)], 100),
    ]
    connection.close()  # the server's workers get the connections
    tables = []
    with Server(database_url, workers=args.workers) as server:
        for clients in sorted({1, args.clients}):
            rows, events_per_second = [], {}
            for name, url, headers, expect, body_fn, per_request in cases:
                result = measure_for(f"{name}, {clients} client(s)", server.port, url, seconds=args.seconds,
                                     clients=clients, body_fn=body_fn, headers=headers, expect=expect)
                rows.append(result)
                events_per_second[result.name] = result.rps * per_request
            tables.append((clients, rows, events_per_second))
    return tables


class QueryCounter:
    """Counts the queries run on the default connection (a wrapper adding one increment per query)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def process_for(seconds, raws):
    """Store raws as the accept path does, then process them as the worker does (batches of 100 ids) until
    `seconds` pass; returns (events processed, elapsed, queries while processing)."""
    from events import services

    ids = []
    for offset in range(0, len(raws), 100):
        ids += services.accept("generic", raws[offset:offset + 100]).ids
    done, elapsed, counter = 0, 0.0, QueryCounter()
    with connection.execute_wrapper(counter):
        for offset in range(0, len(ids), 100):
            began = time.perf_counter()
            done += services.process_events(ids[offset:offset + 100])
            elapsed += time.perf_counter() - began
            if elapsed >= seconds:
                break
    return done, elapsed, counter.count


def measure_processing(seconds):
    """Processing rates: new alerts (half of them open an incident), new alerts that each open an incident
    (critical or major: the default rule's), then repeats of open alerts (dedup): the first rounds with the
    rate-limited work notes they are due, then a round with none due."""
    from events.formats.base import RawEvent
    from events.models import Alert, Event

    with connection.cursor() as cursor:  # forget the accept measurements' rows: nobody processes them
        cursor.execute(f"TRUNCATE {Alert._meta.db_table}, {Event._meta.db_table} RESTART IDENTITY CASCADE")
    results = {}
    fresh = [dict(event(i, nodes=10**9), source="bench-processing") for i in range(2000)]
    results["new alerts (half open an incident)"] = process_for(seconds, [RawEvent(e["source"], e) for e in fresh])
    severe = [dict(event(i, nodes=10**9), source="bench-incidents", severity=("critical", "major")[i % 2])
              for i in range(2000)]
    results["new alerts, each opening an incident"] = process_for(seconds, [RawEvent(e["source"], e)
                                                                            for e in severe])
    opened = Alert.objects.filter(source="bench-processing").values_list("node", "check_name", "severity")[:500]
    repeats = [dict(event(0), source="bench-processing", node=node, check=check, severity=severity)
               for _round in range(5) for node, check, severity in opened]
    results["repeats (dedup, rate-limited work notes)"] = process_for(seconds, [RawEvent(e["source"], e)
                                                                               for e in repeats])
    results["repeats (dedup, no work note due)"] = process_for(seconds, [RawEvent(e["source"], e)
                                                                        for e in repeats[:len(opened)]])
    return results, Alert.objects.filter(incident__isnull=False).values("incident").distinct().count()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15, help="length of each measurement (default 15)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (threads) (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--skip-processing", action="store_true", help="measure acceptance only")
    parser.add_argument("--skip-acceptance", action="store_true", help="measure processing only")
    args = parser.parse_args()
    from django.conf import settings

    key = setup_data()
    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}; "
          f"broker: {settings.CELERY_BROKER_URL.split('@')[-1]}; {os.cpu_count()} CPU(s); "
          f"{args.seconds:g} s per measurement; gunicorn {args.workers} sync worker(s), http.client threads; "
          f"load average {os.getloadavg()[0]:.1f}")
    for clients, rows, events_per_second in ([] if args.skip_acceptance else measure_accept(args, key)):
        print_table(f"Acceptance over HTTP, {clients} client(s) (load average {os.getloadavg()[0]:.1f})",
                    rows, baseline=rows[0])
        for name, rate in events_per_second.items():
            print(f"  accepted  {name:<55} {rate:10,.0f} events/s")
    if not args.skip_processing:
        phases, incidents = measure_processing(args.seconds)
        for name, (done, elapsed, queries) in phases.items():
            if done:
                print(f"  processed {name:<55} {done / elapsed:10,.0f} events/s  ({done:,} events, "
                      f"{queries / done:.1f} queries/event)")
        print(f"  incidents opened by processing: {incidents:,} (load average {os.getloadavg()[0]:.1f})")
    from itsm.celery import app

    app.control.purge()  # the queued process_event messages: nobody runs them in a benchmark


if __name__ == "__main__":
    main()
