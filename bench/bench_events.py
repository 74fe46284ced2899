"""Event ingestion and processing throughput, beside a minimal Django endpoint that stores one row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench_events \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/bench_events.py --seconds 15

Runs in one process with Django's test client (the full middleware stack, token authentication, JSON parsing,
validation and the INSERT; no network), so the figures are per process on this machine; a gunicorn with one
worker per core scales them by the cores left after PostgreSQL. Each measurement stops after --seconds.
The database named in DATABASE_URL is created and migrated if needed, and its events and alerts are emptied.
"""

import argparse
import json
import os
import sys
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
from django.http import JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402


@csrf_exempt
def minimal_store_one_row(request):
    """The baseline: parse JSON, INSERT one row, answer 202; no auth, no validation, no queueing."""
    from events.models import Event

    data = json.loads(request.body)
    event = Event.objects.create(source=data.get("source", ""), format="generic", payload=data)
    return JsonResponse({"id": event.pk}, status=202)


urlpatterns = [
    path("minimal/", minimal_store_one_row),
    path("api/v1/", include("itsm.api")),
]


def event(i, nodes=500):
    return {"source": "bench", "node": f"node{i % nodes:04d}", "check": f"check{i % 7}",
            "severity": ("critical", "warning", "major", "minor")[i % 4], "message": "load test",
            "time": "2026-11-24T10:00:00Z", "labels": {"env": "bench", "seq": str(i)}}


def run_for(seconds, fn):
    """Call fn() until `seconds` have passed; returns (calls, elapsed)."""
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn(calls)
        calls += 1
    return calls, time.perf_counter() - start


def run_concurrent(seconds, clients, fn):
    """fn(client, i) from `clients` threads, each with its own test client and database connection, so
    PostgreSQL can group their commits (as several gunicorn workers would); returns (calls, elapsed)."""
    import threading

    from django.db import connections

    counts = [0] * clients
    deadline = time.perf_counter() + seconds

    def worker(slot):
        client = Client(HTTP_AUTHORIZATION=CLIENT_AUTH)
        while time.perf_counter() < deadline:
            fn(client, slot * 1_000_000 + counts[slot])
            counts[slot] += 1
        connections.close_all()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), time.perf_counter() - start


CLIENT_AUTH = ""


def setup_data():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.models import ApiToken
    from events.models import Alert, Event

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Alert._meta.db_table}, {Event._meta.db_table} RESTART IDENTITY CASCADE")
    user, _ = get_user_model().objects.get_or_create(username="bench-integration")
    user.groups.add(Group.objects.get(name="integration"))
    _, key = ApiToken.generate(user, "bench")
    return key


def post(client, url, body):
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 202, response.content


def measure_accept(seconds, key, clients):
    global CLIENT_AUTH
    CLIENT_AUTH = f"Token {key}"
    client = Client(HTTP_AUTHORIZATION=CLIENT_AUTH)
    batches = [json.dumps([event(b * 100 + i) for i in range(100)]) for b in range(50)]
    cases = [
        ("minimal Django endpoint, 1 row per request", "/minimal/", lambda i: json.dumps(event(i)), 1),
        ("POST /api/v1/events/ single", "/api/v1/events/", lambda i: json.dumps(event(i)), 1),
        ("POST /api/v1/events/ batches of 100", "/api/v1/events/", lambda i: batches[i % len(batches)], 100),
    ]
    results = {}
    for name, url, body, per_request in cases:
        calls, elapsed = run_for(seconds, lambda i: post(client, url, body(i)))
        results[f"{name}, 1 client"] = calls * per_request / elapsed
        calls, elapsed = run_concurrent(seconds, clients, lambda c, i: post(c, url, body(i)))
        results[f"{name}, {clients} clients"] = calls * per_request / elapsed
    return results


def process_for(seconds, raws):
    """Store raws as the accept path does, then process them as the worker does (batches of 100 ids) until
    `seconds` pass; returns (events processed, elapsed)."""
    from events import services

    ids = []
    for offset in range(0, len(raws), 100):
        ids += services.accept("generic", raws[offset:offset + 100]).ids
    done, elapsed = 0, 0.0
    for offset in range(0, len(ids), 100):
        began = time.perf_counter()
        done += services.process_events(ids[offset:offset + 100])
        elapsed += time.perf_counter() - began
        if elapsed >= seconds:
            break
    return done, elapsed


def measure_processing(seconds):
    """Processing rates: new alerts (half of them open an incident), then repeats of those alerts (dedup)."""
    from events.formats.base import RawEvent
    from events.models import Alert, Event

    with connection.cursor() as cursor:  # forget the accept measurements' rows: nobody processes them
        cursor.execute(f"TRUNCATE {Alert._meta.db_table}, {Event._meta.db_table} RESTART IDENTITY CASCADE")
    fresh = [dict(event(i, nodes=10**9), source="bench-processing") for i in range(2000)]
    results = {"new alerts (half open an incident)": process_for(seconds, [RawEvent(e["source"], e)
                                                                          for e in fresh])}
    opened = Alert.objects.values_list("node", "check_name", "severity")[:500]
    repeats = [dict(event(0), source="bench-processing", node=node, check=check, severity=severity)
               for _round in range(5) for node, check, severity in opened]
    results["repeats (dedup, rate-limited work notes)"] = process_for(seconds, [RawEvent(e["source"], e)
                                                                               for e in repeats])
    return results, Alert.objects.filter(incident__isnull=False).values("incident").distinct().count()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15, help="length of each measurement (default 15)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (threads) (default 8)")
    args = parser.parse_args()
    from django.conf import settings

    key = setup_data()
    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}; "
          f"broker: {settings.CELERY_BROKER_URL.split('@')[-1]}; {os.cpu_count()} CPU(s); "
          f"{args.seconds:g} s per measurement; one process, Django test client; "
          f"load average {os.getloadavg()[0]:.1f}")
    with override_settings(ROOT_URLCONF=__name__):
        accepted = measure_accept(args.seconds, key, args.clients)
    for name, rate in accepted.items():
        print(f"  accepted  {name:<55} {rate:10,.0f} events/s")
    phases, incidents = measure_processing(args.seconds)
    for name, (done, elapsed) in phases.items():
        if done:
            print(f"  processed {name:<55} {done / elapsed:10,.0f} events/s  ({done:,} events)")
    print(f"  incidents opened by processing: {incidents:,}")
    from itsm.celery import app

    app.control.purge()  # the queued process_event messages: nobody runs them in a benchmark


if __name__ == "__main__":
    main()
