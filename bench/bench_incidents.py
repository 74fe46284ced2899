"""Incident benchmarks on PostgreSQL (not a test; prints figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench .venv/bin/python bench/bench_incidents.py

1. Incident create through the API (POST /api/v1/incidents/, token auth) beside a minimal DRF endpoint that
   inserts one row into a one-table baseline.
2. The queue page (/incidents/, agent session; default sort, a filter, a text search) and the list API
   (GET /api/v1/incidents/) at each size (default 100k and 1M incidents, bulk SQL), beside a minimal DRF
   endpoint listing 50 rows of core_ticket.

Everything runs against gunicorn (2 sync workers, DEBUG off) on a loopback port, driven by a few threads
with a bounded number of requests. --explain prints EXPLAIN ANALYZE of the slowest query of each page.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000",
                        help="Incident counts to measure at, ascending (rows are added, never removed).")
    parser.add_argument("--requests", type=int, default=400, help="Requests per measurement.")
    parser.add_argument("--create-requests", type=int, default=400, help="Requests per create measurement.")
    parser.add_argument("--concurrency", type=int, default=4, help="Client threads.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query per page.")
    parser.add_argument("--skip-create", action="store_true")
    parser.add_argument("--only", default="", help="Comma-separated exact names of the list pages to measure (as printed in the table).")
    parser.add_argument("--pg-options", default="",
                        help='PostgreSQL options for the server\'s connections, e.g. "-c join_collapse_limit=1" '
                             "(to compare planner settings; the bench's own connection is unchanged).")
    return parser.parse_args()


def setup(database_url):
    import django

    os.environ["DATABASE_URL"] = database_url
    from bench.common import SECRET_KEY

    os.environ["SECRET_KEY"] = SECRET_KEY
    os.environ.setdefault("DEMO_DATA", "1")  # seed_demo needs DEMO_DATA; the server runs with DEBUG off
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench_incidents.py needs PostgreSQL: set DATABASE_URL=postgres://.../itsm_bench")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)


def references():
    from django.contrib.auth import get_user_model

    from cmdb.models import ConfigurationItem
    from core.models import Organization, Team
    from incidents.models import Category
    from slm.models import Service

    User = get_user_model()
    ids = lambda qs: list(qs.order_by("pk").values_list("pk", flat=True))  # noqa: E731
    return {
        "teams": ids(Team.objects.all()),
        "agents": ids(User.objects.filter(groups__name="agent")),
        "requesters": ids(User.objects.filter(groups__name="requester")),
        "organizations": ids(Organization.objects.all()),
        "services": ids(Service.objects.all()),
        "cis": ids(ConfigurationItem.objects.all()),
        "categories": ids(Category.objects.filter(parent=None)),
    }


def grow_to(size):
    from django.db import connection, transaction

    from bench.common import bulk_incidents
    from incidents.models import Incident

    current = Incident.objects.count()
    if current >= size:
        return current
    refs = references()
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        bulk_incidents(cursor, size - current, refs)
    print(f"  generated {size - current} incidents in {time.perf_counter() - start:.1f} s", flush=True)
    return Incident.objects.count()


def credentials():
    """A token and a session cookie for the demo agent."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from core.models import ApiToken

    agent = get_user_model().objects.get(username="agent")
    _, key = ApiToken.generate(agent, "bench")
    session = SessionStore()
    session[SESSION_KEY] = str(agent.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    session.save()
    return {"Authorization": f"Token {key}"}, {"Cookie": f"sessionid={session.session_key}"}


def create_payloads(team_id):
    """(API list URL, body of request i) of each ticket kind's create: every kind has the same budget."""
    from servicerequests.models import CatalogItem

    item = CatalogItem.objects.filter(active=True).exclude(fields__required=True).order_by("pk") \
        .values_list("pk", flat=True).first()  # an item whose form has no required answer
    kinds = [
        ("/api/v1/incidents/", lambda i: {"title": f"Bench incident {i}", "impact": 3, "urgency": 2, "team": team_id}),
        ("/api/v1/problems/", lambda i: {"title": f"Bench problem {i}", "impact": 3, "urgency": 2, "team": team_id}),
        ("/api/v1/changes/", lambda i: {"title": f"Bench change {i}", "impact": 3, "urgency": 2, "team": team_id}),
    ]
    if item is not None:
        kinds.append(("/api/v1/requests/", lambda i: {"catalog_item": item, "title": f"Bench request {i}"}))
    return kinds


def explain(url, user):
    """Run `url` in-process, print the slowest query and its EXPLAIN ANALYZE."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(url).status_code
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
    print(f"\n--- {url} -> {status}, {len(ctx.captured_queries)} queries; slowest {slowest['time']} s:")
    print(slowest["sql"][:1500])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        for (line,) in cursor.fetchall():
            print("   ", line)


def main():
    args = parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to your own PostgreSQL database, e.g. "
                 "postgres://postgres@127.0.0.1:5432/itsm_bench")
    setup(database_url)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bench.common import Server, create_baseline_table, json_body, measure, print_table

    with connection.cursor() as cursor:
        create_baseline_table(cursor)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    server_url = database_url
    if args.pg_options:
        server_url += ("&" if "?" in server_url else "?") + "options=" + quote(args.pg_options)
    token, cookie = credentials()
    agent = get_user_model().objects.get(username="agent")
    team_id = references()["teams"][0]
    connection.close()
    common = {"requests": args.requests, "concurrency": args.concurrency}
    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores shared with other engineers)")
    print(f"gunicorn workers={args.workers}, client threads={args.concurrency}, "
          f"requests per measurement={args.requests}, PostgreSQL {database_url.rsplit('/', 1)[-1]}, "
          f"server options: {args.pg_options or 'none'}")

    if not args.skip_create:
        grow_to(sizes[0])
        connection.close()
        with Server(server_url, workers=args.workers) as server:
            minimal = measure("minimal DRF create (raw INSERT)", server.port, "POST", "/bench/minimal/create/",
                              headers={"Content-Type": "application/json"}, expect=(201,),
                              body_fn=json_body(lambda i: {"title": f"row {i}"}),
                              requests=args.create_requests, concurrency=args.concurrency)
            creates = [minimal]
            for url, body in create_payloads(team_id):
                creates.append(measure(f"POST {url} (token)", server.port, "POST", url,
                                       headers={**token, "Content-Type": "application/json"}, expect=(201,),
                                       body_fn=json_body(body), requests=args.create_requests,
                                       concurrency=args.concurrency))
        print_table(f"Create, every ticket kind (load average {os.getloadavg()[0]:.1f})", creates,
                    baseline=minimal)

    for size in sizes:
        total = grow_to(size)
        connection.close()
        pages = [
            ("queue /incidents/ (default sort)", "/incidents/", cookie),
            ("queue ?state=in_progress&priority=2", "/incidents/?state=in_progress&priority=2", cookie),
            (f"queue ?team={team_id}&open=true", f"/incidents/?team={team_id}&open=true", cookie),
            ("queue ?q=printer (text search, common word)", "/incidents/?q=printer", cookie),
            ("queue ?q=kubernetes (text search, no match)", "/incidents/?q=kubernetes", cookie),
            ("GET /api/v1/incidents/", "/api/v1/incidents/", token),
            ("GET /api/v1/incidents/?state=in_progress", "/api/v1/incidents/?state=in_progress", token),
            ("GET /api/v1/incidents/?q=printer", "/api/v1/incidents/?q=printer", token),
            ("GET /api/v1/incidents/?q=kubernetes (no match)", "/api/v1/incidents/?q=kubernetes", token),
        ]
        if args.only:
            wanted = {name.strip() for name in args.only.split(",")}
            pages = [page for page in pages if page[0] in wanted]
        with Server(server_url, workers=args.workers) as server:
            minimal = measure("minimal DRF list (50 rows of core_ticket)", server.port, "GET",
                              "/bench/minimal/list/", **common)
            results = [minimal] + [measure(name, server.port, "GET", url, headers=headers, **common)
                                   for name, url, headers in pages]
        print_table(f"Lists at {total:,} incidents (load average {os.getloadavg()[0]:.1f})", results,
                    baseline=minimal)
        if args.explain:
            for _, url, _ in pages:
                explain(url, agent)
            connection.close()


if __name__ == "__main__":
    main()
