"""Global search timings on PostgreSQL (not a test; prints figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench .venv/bin/python bench/bench_search.py

Grows the incident table to each size in --sizes with the bulk generator of bench/common.py (rows are added,
never removed; the same database as bench_incidents.py can be shared), then times `core.search.search_tickets`
in-process (the query plus building the rows, no HTTP) as an agent and as a requester, for: a bare number,
a prefixed number, a word in 1/12 of the titles, its plural (stemming), two words, a word in every row's
description (the worst case for ranking), a word that matches nothing, and Chinese text (trigram path).
--explain prints EXPLAIN ANALYZE of the word query.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="Incident counts, ascending.")
    parser.add_argument("--repeat", type=int, default=7, help="Runs per measurement (p50 and best printed).")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the ranked word query.")
    return parser.parse_args()


def timed(label, fn, repeat):
    runs, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = len(fn())
        runs.append(time.perf_counter() - started)
    print(f"  {label:<52} p50 {statistics.median(runs) * 1000:8.1f} ms  best {min(runs) * 1000:8.1f} ms"
          f"  ({found} results)", flush=True)


def explain(user, query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import search

    with CaptureQueriesContext(connection) as ctx:
        search.search_tickets(user, query)
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        print("\n".join("    " + row[0][:240] for row in cursor.fetchall()))


def main():
    args = parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("bench_search.py needs PostgreSQL: set DATABASE_URL=postgres://.../itsm_bench")
    from bench.bench_incidents import grow_to, setup

    setup(database_url)
    from django.contrib.auth import get_user_model

    from core import search
    from core.models import Ticket

    User = get_user_model()
    agent = User.objects.filter(groups__name="agent").order_by("pk").first()
    requester = User.objects.filter(groups__name="requester").order_by("pk").first()
    for size in [int(s) for s in args.sizes.split(",")]:
        total = grow_to(size)
        number = Ticket.objects.filter(kind="incident").order_by("-id").values_list("number", flat=True)[size // 2]
        print(f"\n{total:,} incidents (load average {os.getloadavg()[0]:.1f})", flush=True)
        cases = [
            ("bare number", str(int(number[3:]))),
            ("prefixed number", number.lower()),
            ("word in 1/12 of titles: printer", "printer"),
            ("stemmed plural: printers", "printers"),
            ("two words: printer offline", "printer offline"),
            ("word in every description: benchmarks", "benchmarks"),
            ("no match: kubernetes", "kubernetes"),
            ("Chinese, no match: 打印机", "打印机"),
        ]
        for who, user in (("agent", agent), ("requester", requester)):
            for label, query in cases:
                timed(f"{who}: {label}", lambda: search.search_tickets(user, query), args.repeat)
        if args.explain:
            explain(agent, "printers")


if __name__ == "__main__":
    main()
