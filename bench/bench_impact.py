"""Impact analysis benchmark: 100k CIs and ~500k relationships in layers, built with bulk SQL on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_cmdb_bench .venv/bin/python bench/bench_impact.py

Creates (or reuses, with --reuse) the data in its own database, then prints p50/p99 of
cmdb.queries.impacted() and upstream() for CIs in each layer (each call is one recursive SQL query).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/itsm_cmdb_bench")

# (layer, class, count)
LAYERS = [
    ("net", "network_device", 150), ("sto", "storage", 50), ("srv", "server", 5_000),
    ("vm", "virtual_machine", 30_000), ("db", "database", 20_000), ("app", "application", 40_000),
    ("biz", "business_service", 4_800),
]
# (source layer, target layer, kind, edges per source CI)
EDGES = [
    ("srv", "net", "connected_to", 2), ("srv", "sto", "depends_on", 2),
    ("vm", "srv", "runs_on", 1), ("vm", "net", "connected_to", 1),
    ("db", "vm", "runs_on", 1), ("db", "sto", "depends_on", 1),
    ("app", "vm", "runs_on", 2), ("app", "db", "depends_on", 3), ("biz", "app", "depends_on", 12),
]
# Applications come in systems of SYSTEM_SIZE; each depends on APP_DEPS earlier apps of its own system,
# with SHARED_SHARE of those going to the first SHARED_APPS apps (shared platforms: auth, messaging) and
# BACK_EDGE_SHARE going to any app of its system (so the graph has cycles).
SYSTEM_SIZE, APP_DEPS, SHARED_APPS, SHARED_SHARE, BACK_EDGE_SHARE = 40, 3, 200, 0.05, 0.01


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


def build(cursor):
    cursor.execute("TRUNCATE cmdb_relationship, cmdb_ciauditentry RESTART IDENTITY CASCADE")
    cursor.execute("UPDATE core_ticket SET configuration_item_id = NULL WHERE configuration_item_id IS NOT NULL")
    cursor.execute("DELETE FROM cmdb_configurationitem")
    ranges = {}
    for layer, class_name, count in LAYERS:
        cursor.execute("SELECT id FROM cmdb_ciclass WHERE name = %s", [class_name])
        class_id = cursor.fetchone()[0]
        cursor.execute(
            """INSERT INTO cmdb_configurationitem (name, ci_class_id, status, environment, attributes, location,
                   description, created_at, updated_at)
               SELECT %s || '-' || lpad(g::text, 6, '0'), %s, 'in_use', 'production', '{}', '', '', now(), now()
               FROM generate_series(1, %s) g RETURNING id""", [layer, class_id, count])
        ids = [row[0] for row in cursor.fetchall()]
        ranges[layer] = (min(ids), max(ids))
    cursor.execute("SELECT setseed(0.42)")
    a_lo, a_hi = ranges["app"]
    cursor.execute(
        """INSERT INTO cmdb_relationship (source_id, target_id, kind, created_at)
           SELECT s, t, 'depends_on', now() FROM (
               SELECT s, CASE
                   WHEN u < %(shared)s THEN %(lo)s + floor(random() * %(shared_apps)s)::bigint
                   WHEN u < %(shared)s + %(back)s THEN s - pos + floor(random() * %(size)s)::bigint
                   ELSE s - pos + floor(random() * pos)::bigint END AS t
               FROM (SELECT s, (s - %(lo)s) %% %(size)s AS pos, random() AS u
                     FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) s, generate_series(1, %(deps)s) k) x
           ) pairs
           WHERE s <> t AND t BETWEEN %(lo)s AND %(hi)s
           ON CONFLICT DO NOTHING""",
        {"lo": a_lo, "hi": a_hi, "size": SYSTEM_SIZE, "deps": APP_DEPS, "shared": SHARED_SHARE,
         "shared_apps": SHARED_APPS, "back": BACK_EDGE_SHARE})
    for source, target, kind, fanout in EDGES:
        (s_lo, s_hi), (t_lo, t_hi) = ranges[source], ranges[target]
        cursor.execute(
            """INSERT INTO cmdb_relationship (source_id, target_id, kind, created_at)
               SELECT s, t, %s, now() FROM (
                   SELECT s, %s + floor(random() * %s)::bigint AS t
                   FROM generate_series(%s::bigint, %s::bigint) s, generate_series(1, %s) k) pairs
               WHERE s <> t
               ON CONFLICT DO NOTHING""", [kind, t_lo, t_hi - t_lo + 1, s_lo, s_hi, fanout])
    return ranges


def layer_ranges(cursor):
    ranges = {}
    for layer, _class, _count in LAYERS:
        cursor.execute("SELECT min(id), max(id) FROM cmdb_configurationitem WHERE name LIKE %s", [f"{layer}-%"])
        ranges[layer] = cursor.fetchone()
    return ranges


def timed(fn, repeat):
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(fn())
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
    return statistics.median(times), p99, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="reuse data from a previous run")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--max-depth", type=int, default=10)
    args = parser.parse_args()

    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        sys.exit("This benchmark builds its data with PostgreSQL SQL; set DATABASE_URL to a PostgreSQL database.")
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from cmdb import queries

    call_command("migrate", verbosity=0, skip_checks=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cmdb_configurationitem")
        have = cursor.fetchone()[0]
    if not args.reuse or have < sum(count for _layer, _class, count in LAYERS):
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            build(cursor)
        with connection.cursor() as cursor:  # outside the transaction: VACUUM sets the visibility map
            cursor.execute("VACUUM ANALYZE cmdb_configurationitem")
            cursor.execute("VACUUM ANALYZE cmdb_relationship")
        print(f"built data in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '120s'")  # keep a run bounded on a busy machine
        ranges = layer_ranges(cursor)
        cursor.execute("SELECT count(*) FROM cmdb_configurationitem")
        cis = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cmdb_relationship")
        rels = cursor.fetchone()[0]
    print(f"{cis:,} CIs, {rels:,} relationships; max_depth={args.max_depth}, {args.repeat} runs per CI "
          f"(PostgreSQL {connection.pg_version})")
    print(f"{'walk':10} {'start CI':12} {'found':>8} {'p50 ms':>9} {'p99 ms':>9}")
    picks = [("impacted", "net", 3), ("impacted", "sto", 7), ("impacted", "srv", 11), ("impacted", "vm", 5),
             ("impacted", "db", 13), ("impacted", "app", 17), ("upstream", "biz", 1), ("upstream", "app", 9)]
    for walk_name, layer, offset in picks:
        ci_id = ranges[layer][0] + offset
        walk = getattr(queries, walk_name)
        p50, p99, found = timed(lambda: walk([ci_id], max_depth=args.max_depth), args.repeat)
        print(f"{walk_name:10} {layer + '-' + str(offset + 1):12} {found:>8,} {p50:>9.1f} {p99:>9.1f}", flush=True)


if __name__ == "__main__":
    main()
