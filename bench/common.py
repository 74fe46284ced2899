"""Benchmark harness: a gunicorn server on loopback, a bounded stdlib HTTP load driver, the minimal
Django+DRF baseline endpoints, and bulk SQL generators of incidents. Not a test; used by bench/*.py.

The server runs `bench.common:bench_application()`: the whole project (itsm.urls, every middleware) plus
/bench/minimal/create/ and /bench/minimal/list/, so the baseline shares process, middleware and database.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.urls import include, path

ROOT = Path(__file__).resolve().parent.parent
BASELINE_TABLE = "bench_minimal_row"
# The server and the bench process share it, so the session the bench creates is valid in the server.
SECRET_KEY = "bench-only-secret-key-0123456789abcdef"


# --- the minimal baseline (served by the same gunicorn) -------------------------------------

def _minimal_views():
    from django.db import connection
    from rest_framework.decorators import api_view, authentication_classes, permission_classes
    from rest_framework.response import Response

    @api_view(["POST"])
    @authentication_classes([])
    @permission_classes([])
    def minimal_create(request):
        title = str(request.data.get("title", ""))[:255]
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {BASELINE_TABLE} (title, created_at) VALUES (%s, now()) "
                           "RETURNING id, created_at", [title])
            row_id, created_at = cursor.fetchone()
        return Response({"id": row_id, "title": title, "created_at": created_at}, status=201)

    @api_view(["GET"])
    @authentication_classes([])
    @permission_classes([])
    def minimal_list(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, number, title, state, priority, created_at FROM core_ticket "
                           "ORDER BY id DESC LIMIT 50")
            names = [c[0] for c in cursor.description]
            rows = [dict(zip(names, row)) for row in cursor.fetchall()]
        return Response({"results": rows})

    return minimal_create, minimal_list


def _urlpatterns():
    create, listing = _minimal_views()
    return [path("bench/minimal/create/", create), path("bench/minimal/list/", listing),
            path("", include("itsm.urls"))]


def bench_application():
    """gunicorn factory: the project's WSGI app with this module as its URLconf."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    settings.ROOT_URLCONF = "bench.common"
    return application


def __getattr__(name):
    # `urlpatterns` is built lazily: Django must be set up before DRF views are defined.
    if name == "urlpatterns":
        value = _urlpatterns()
        globals()["urlpatterns"] = value
        return value
    raise AttributeError(name)


def create_baseline_table(cursor):
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE} (id bigserial PRIMARY KEY, "
                   "title varchar(255) NOT NULL, created_at timestamptz NOT NULL)")


# --- server ---------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with N sync workers on a loopback port, production settings (DEBUG off)."""

    def __init__(self, database_url, workers=2, port=None):
        self.port = port or free_port()
        self.workers = workers
        self.env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0",
                    "SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1",
                    "LOG_LEVEL": "WARNING", "CONN_MAX_AGE": "600"}
        self.proc = None

    def __enter__(self):
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [gunicorn, "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}", "--chdir", str(ROOT),
             "--log-level", "warning", "--timeout", "120", "bench.common:bench_application()"],
            env=self.env, cwd=ROOT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            try:
                status, _ = request("127.0.0.1", self.port, "GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- load driver ----------------------------------------------------------------------------

def request(host, port, method, url, body=None, headers=None, conn=None):
    own = conn is None
    conn = conn or http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(method, url, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        if response.will_close:
            conn.close()
        return response.status, data
    finally:
        if own:
            conn.close()


class Result:
    def __init__(self, name, latencies, wall, errors, statuses):
        self.name = name
        self.latencies = sorted(latencies)
        self.wall = wall
        self.errors = errors
        self.statuses = statuses

    @property
    def rps(self):
        return len(self.latencies) / self.wall if self.wall else 0.0

    def pct(self, p):
        if not self.latencies:
            return float("nan")
        index = min(len(self.latencies) - 1, max(0, round(p / 100 * len(self.latencies)) - 1))
        return self.latencies[index] * 1000

    @property
    def p50(self):
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def p99(self):
        return self.pct(99)


def measure(name, port, method, url, *, requests=300, concurrency=4, warmup=20, headers=None, body_fn=None,
            expect=(200,)):
    """Send `requests` requests from `concurrency` threads; returns a Result (latency per request, wall time).

    body_fn(i) gives the body of request i (for creates). A response outside `expect` counts as an error.
    """
    headers = dict(headers or {})
    for i in range(warmup):
        request("127.0.0.1", port, method, url, body_fn(-1 - i) if body_fn else None, headers)
    latencies, statuses = [], {}
    errors = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            body = body_fn(i) if body_fn else None
            start = time.perf_counter()
            try:
                status, data = request("127.0.0.1", port, method, url, body, headers, conn=conn)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                with lock:
                    errors.append(repr(exc))
                continue
            elapsed = time.perf_counter() - start
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status in expect:
                    latencies.append(elapsed)
                else:
                    errors.append(f"{status}: {data[:200]!r}")
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(name, latencies, time.perf_counter() - start, errors, statuses)


def json_body(fn):
    return lambda i: json.dumps(fn(i)).encode()


def print_table(title, rows, baseline=None):
    """rows: Results; baseline: the Result the ratios refer to."""
    print(f"\n{title}")
    print(f"{'measurement':58} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'vs minimal':>10}")
    for r in rows:
        ratio = f"{r.rps / baseline.rps:9.2f}x" if baseline and baseline.rps and r is not baseline else ""
        print(f"{r.name:58} {r.rps:8.1f} {r.p50:8.2f} {r.p99:8.2f} {len(r.errors):6d} {ratio:>10}")
    for r in rows:
        if r.errors:
            print(f"  {r.name}: first error {r.errors[0]}")
    sys.stdout.flush()


# --- bulk data (PostgreSQL) -----------------------------------------------------------------

_DEFAULTS_BY_TYPE = {"character varying": "''", "text": "''", "integer": "0", "smallint": "0", "bigint": "0",
                     "boolean": "false", "timestamp with time zone": "now()", "jsonb": "'{}'::jsonb",
                     "date": "current_date", "numeric": "0"}


def insert_columns(cursor, table, expressions):
    """Column list and SELECT expressions for a bulk INSERT: ours, plus a neutral value for any NOT NULL
    column without a default that others may have added since (so the generator keeps working)."""
    cursor.execute("SELECT column_name, is_nullable, column_default, data_type FROM information_schema.columns "
                   "WHERE table_name = %s ORDER BY ordinal_position", [table])
    columns, selects = [], []
    for name, nullable, default, data_type in cursor.fetchall():
        if name in expressions:
            columns.append(name)
            selects.append(expressions[name])
        elif nullable == "NO" and default is None:
            if data_type not in _DEFAULTS_BY_TYPE:
                raise RuntimeError(f"{table}.{name} ({data_type}) is NOT NULL without a default; "
                                   "teach bench/common.py a value for it")
            columns.append(name)
            selects.append(_DEFAULTS_BY_TYPE[data_type])
    return ", ".join(columns), ", ".join(selects)


TITLES = ["Cannot connect to VPN", "Printer offline", "Outlook asks for password", "ERP screen times out",
          "Laptop will not boot", "Wi-Fi drops", "Account locked", "Slow internet", "Monitor not detected",
          "Invoice run failed", "Phone has no dial tone", "Need access to share"]

# state, cumulative share (of 1000): most history is closed, a working queue is open
STATE_MIX = [("closed", 700), ("resolved", 780), ("cancelled", 810), ("on_hold", 850), ("in_progress", 930),
             ("new", 1000)]


def bulk_incidents(cursor, count, refs):
    """Append `count` incidents with INSERT ... SELECT generate_series (core_ticket, then incidents_incident).

    refs: lists of ids to spread over: teams, agents, requesters, organizations, services, cis, categories.
    Numbers continue after the highest INC number and the number sequence is moved past them.
    """
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM core_ticket")
    base_id = cursor.fetchone()[0]
    cursor.execute("SELECT COALESCE(MAX(substr(number, 4)::bigint), 1000) FROM core_ticket WHERE kind = 'incident'")
    base_number = cursor.fetchone()[0]
    state_case = "CASE " + " ".join(f"WHEN (g * 7919) % 1000 < {limit} THEN '{state}'" for state, limit in STATE_MIX) \
        + " END"

    def pick(name, g="g"):
        ids = refs[name]
        return f"(ARRAY[{','.join(map(str, ids))}]::bigint[])[1 + ({g} % {len(ids)})]" if ids else "NULL"

    titles = "ARRAY[" + ",".join("'" + t.replace("'", "''") + "'" for t in TITLES) + "]"
    # Row g is created g seconds * 60 after a start 2 years ago scaled so the newest is about now.
    span_seconds = 2 * 365 * 86400
    created = f"now() - make_interval(secs => {span_seconds} * ({count} - g)::float8 / {count})"
    ticket = {
        "id": f"{base_id} + g",
        "number": f"'INC' || lpad(({base_number} + g)::text, 7, '0')",
        "kind": "'incident'",
        "title": f"({titles})[1 + g % {len(TITLES)}] || ' #' || ({base_number} + g)",
        "description": "'Generated for benchmarks.'",
        "state": "st.state",
        "impact": "1 + g % 3", "urgency": "1 + (g / 3) % 3",
        "priority": "LEAST(5, GREATEST(1, (g % 3) + ((g / 3) % 3) + 1))",
        "channel": "(ARRAY['portal','email','phone','api','monitoring'])[1 + g % 5]",
        "service_id": pick("services", "(g / 7)"),
        "configuration_item_id": f"CASE WHEN g % 4 = 0 THEN {pick('cis', '(g / 4)')} END",
        "organization_id": pick("organizations", "(g / 11)"),
        "requester_id": pick("requesters", "(g / 13)"),
        "team_id": pick("teams", "(g / 17)"),
        "assignee_id": f"CASE WHEN st.state <> 'new' THEN {pick('agents', '(g / 19)')} END",
        "created_by_id": pick("agents", "(g / 23)"),
        "created_at": "c.at", "updated_at": "c.at + interval '2 hours'",
        "first_response_at": "CASE WHEN st.state <> 'new' THEN c.at + interval '20 minutes' END",
        "resolved_at": "CASE WHEN st.state IN ('resolved', 'closed') THEN c.at + interval '1 day' END",
        "closed_at": "CASE WHEN st.state IN ('closed', 'cancelled') THEN c.at + interval '8 days' END",
        "cancel_reason": "CASE WHEN st.state = 'cancelled' THEN 'Raised twice.' ELSE '' END",
        "version": "3",
    }
    columns, selects = insert_columns(cursor, "core_ticket", ticket)
    cursor.execute(f"""
        INSERT INTO core_ticket ({columns})
        SELECT {selects}
        FROM generate_series(1::bigint, {count}) AS g
        CROSS JOIN LATERAL (SELECT {state_case} AS state) AS st
        CROSS JOIN LATERAL (SELECT {created} AS at) AS c
    """)
    incident = {
        "ticket_ptr_id": "t.id",
        "category_id": pick("categories", "t.id"),
        "subcategory_id": "NULL",
        "on_hold_reason": "CASE WHEN t.state = 'on_hold' THEN 'awaiting_caller' ELSE '' END",
        "resolution_code": "CASE WHEN t.state IN ('resolved', 'closed') THEN 'solved_permanently' ELSE '' END",
        "resolution_notes": "CASE WHEN t.state IN ('resolved', 'closed') THEN 'Fixed.' ELSE '' END",
        "reopen_count": "0", "is_major": "false",
    }
    columns, selects = insert_columns(cursor, "incidents_incident", incident)
    cursor.execute(f"INSERT INTO incidents_incident ({columns}) SELECT {selects} "
                   f"FROM core_ticket t WHERE t.id > {base_id}")
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('core_ticket', 'id'), {base_id + count})")
    cursor.execute("CREATE SEQUENCE IF NOT EXISTS ticket_number_incident START 1001")
    cursor.execute(f"SELECT setval('ticket_number_incident', GREATEST({base_number + count}, "
                   "(SELECT last_value FROM ticket_number_incident)))")
    cursor.execute("ANALYZE core_ticket")
    cursor.execute("ANALYZE incidents_incident")


def ensure_database(url):
    """Create the PostgreSQL database named in `url` when it does not exist (before django.setup())."""
    from urllib.parse import urlparse

    import psycopg2

    parts = urlparse(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of your own (it is created if missing).")
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username,
                            password=parts.password, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
