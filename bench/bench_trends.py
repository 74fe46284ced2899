"""Trend analysis benchmark on PostgreSQL (not a test; prints figures).

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE itsm_trends_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_trends_bench .venv/bin/python bench/bench_trends.py

Migrates the database, then (unless it already holds --incidents incidents) seeds them over the last 90 days
with COPY + INSERT ... SELECT: --clusters clusters of near-duplicate titles (typos and variants, a fifth of them
Chinese) of 20-60 incidents each on one CI, and noise titles of 3-6 words from a 3000-word vocabulary (Zipf-like frequencies) (nearly
all unique), spread over --services services, --cis CIs (on half the incidents) and --categories categories;
3 % are cancelled. Then it times problems.candidate_services.run_analysis() (read, cluster, record) and the
phases of problems.trends.analyse(), and reports how many of the planted clusters were found.
"""

import argparse
import io
import itertools
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

CHINESE_BASES = ["邮件服务器无法连接", "打印机无法打印文件", "财务系统登录失败", "共享盘访问被拒绝", "视频会议没有声音",
                 "报销系统提交报错", "无线网络频繁断开", "考勤系统数据不同步"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--clusters", type=int, default=300)
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--cis", type=int, default=500)
    parser.add_argument("--categories", type=int, default=30)
    parser.add_argument("--runs", type=int, default=2, help="Timed runs of the analysis.")
    return parser.parse_args()


def typo(rng, text):
    if len(text) < 6 or rng.random() < 0.4:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1:] if rng.random() < 0.5 else text[:i] + text[i + 1] + text[i] + text[i + 2:]


def references(args):
    from cmdb.models import CIClass, ConfigurationItem
    from incidents.models import Category
    from slm.models import Service

    services = [Service.objects.get_or_create(name=f"Bench service {i}")[0].pk for i in range(args.services)]
    ci_class = CIClass.objects.get_or_create(name="application", defaults={"label": "Application"})[0]
    existing = {ci.name: ci.pk for ci in ConfigurationItem.objects.filter(name__startswith="bench-ci-")}
    missing = [ConfigurationItem(name=f"bench-ci-{i:04d}", ci_class=ci_class) for i in range(args.cis)
               if f"bench-ci-{i:04d}" not in existing]
    ConfigurationItem.objects.bulk_create(missing)
    cis = list(ConfigurationItem.objects.filter(name__startswith="bench-ci-").order_by("name")
               .values_list("pk", flat=True))[:args.cis]
    categories = [Category.objects.get_or_create(name=f"Bench category {i}", parent=None)[0].pk
                  for i in range(args.categories)]
    return services, cis, categories


def rows(args, count, services, cis, categories):
    """(title, service, ci, category, seconds ago, cancelled) for every incident; planted clusters separately."""
    rng = random.Random(42)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(3000)]
    weights = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(vocab))))  # Zipf-like
    span = 90 * 86400 - 3600
    planted = []
    out = []
    for k in range(args.clusters):
        if k % 5 == 0:
            base = CHINESE_BASES[k // 5 % len(CHINESE_BASES)] + f"（{vocab[k]}）"
        else:
            base = " ".join(rng.choice(vocab) for _ in range(3)) + " failing on " + rng.choice(vocab)
        ci = cis[k % len(cis)]
        service, category = services[k % len(services)], categories[k % len(categories)]
        size = rng.randint(20, 60)
        start = rng.uniform(0, span - 86400 * 10)
        planted.append(size)
        for _ in range(size):
            out.append((typo(rng, base) + rng.choice(["", "", " again", "!", " urgent"]), service, ci, category,
                        start + rng.uniform(0, 86400 * 10), False))
    while len(out) < count:
        title = " ".join(rng.choices(vocab, cum_weights=weights, k=rng.randint(3, 6)))
        out.append((title, rng.choice(services), rng.choice(cis) if rng.random() < 0.5 else None,
                    rng.choice(categories), rng.uniform(0, span), rng.random() < 0.03))
    rng.shuffle(out)
    return out, planted


def seed(args, count):
    from django.db import connection, transaction

    from bench.common import insert_columns

    services, cis, categories = references(args)
    data, planted = rows(args, count, services, cis, categories)
    buffer = io.StringIO()
    for title, service, ci, category, ago, cancelled in data:
        buffer.write("\t".join([title.replace("\\", "").replace("\t", " "), str(service), str(ci or "\\N"),
                                str(category), f"{ago:.3f}", "t" if cancelled else "f"]) + "\n")
    buffer.seek(0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_trend_rows (title text, service bigint, ci bigint, category bigint, "
                       "ago float8, cancelled boolean, g bigserial) ON COMMIT DROP")
        cursor.copy_expert("COPY bench_trend_rows (title, service, ci, category, ago, cancelled) FROM STDIN", buffer)
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM core_ticket")
        base_id = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(substr(number, 4)::bigint), 1000) FROM core_ticket "
                       "WHERE kind = 'incident'")
        base_number = cursor.fetchone()[0]
        ticket = {
            "id": f"{base_id} + r.g", "number": f"'INC' || lpad(({base_number} + r.g)::text, 7, '0')",
            "kind": "'incident'", "title": "r.title", "description": "''",
            "state": "CASE WHEN r.cancelled THEN 'cancelled' WHEN r.g % 10 = 0 THEN 'new' ELSE 'closed' END",
            "impact": "2", "urgency": "2", "priority": "3", "channel": "'portal'",
            "service_id": "r.service", "configuration_item_id": "r.ci",
            "created_at": "now() - make_interval(secs => r.ago)", "updated_at": "now() - make_interval(secs => r.ago)",
            "cancel_reason": "CASE WHEN r.cancelled THEN 'Raised twice.' ELSE '' END", "version": "1",
        }
        columns, selects = insert_columns(cursor, "core_ticket", ticket)
        cursor.execute(f"INSERT INTO core_ticket ({columns}) SELECT {selects} FROM bench_trend_rows r")
        incident = {"ticket_ptr_id": f"{base_id} + r.g", "category_id": "r.category", "reopen_count": "0",
                    "is_major": "false"}
        columns, selects = insert_columns(cursor, "incidents_incident", incident)
        cursor.execute(f"INSERT INTO incidents_incident ({columns}) SELECT {selects} FROM bench_trend_rows r")
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('core_ticket', 'id'), {base_id + len(data)})")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_ticket")
        cursor.execute("ANALYZE incidents_incident")
    return planted


def main():
    sys.stdout.reconfigure(line_buffering=True)
    args = parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from incidents.models import Incident
    from problems import candidate_services, trends
    from problems.models import Candidate

    if connection.vendor != "postgresql":
        sys.exit("bench_trends.py needs PostgreSQL: DATABASE_URL=postgres://.../itsm_trends_bench")
    call_command("migrate", verbosity=0)
    have = Incident.objects.count()
    if have < args.incidents:
        started = time.perf_counter()
        planted = seed(args, args.incidents - have)
        print(f"planted {len(planted)} clusters of {min(planted)}-{max(planted)} incidents")
        print(f"seeded {args.incidents - have} incidents in {time.perf_counter() - started:.1f} s")
    print(f"incidents in the table: {Incident.objects.count()}; cpus: {os.cpu_count()}; "
          f"load average: {os.getloadavg()[0]:.2f}")
    opts = trends.options()
    print("options:", opts)
    for run in range(1, args.runs + 1):
        now = timezone.now()
        started = time.perf_counter()
        incidents = trends.load(now - timedelta(days=opts["window_days"]), now)
        loaded = time.perf_counter()
        clusters = trends.find_clusters(incidents, opts, now)
        clustered = time.perf_counter()
        summary = candidate_services.record_clusters(clusters, incidents.ids, now)
        done = time.perf_counter()
        sizes = sorted((c.incident_count for c in clusters), reverse=True)
        print(f"run {run}: read {len(incidents)} incidents ({len(incidents.texts)} unique texts) in "
              f"{loaded - started:.1f} s, clustered in {clustered - loaded:.1f} s, recorded in "
              f"{done - clustered:.1f} s; total {done - started:.1f} s; {len(clusters)} clusters "
              f"(largest {sizes[:3]}, smallest {sizes[-3:]}); {summary}")
    started = time.perf_counter()
    summary = candidate_services.run_analysis()
    print(f"run_analysis() end to end: {time.perf_counter() - started:.1f} s; {summary}; "
          f"proposed candidates: {Candidate.objects.filter(status='proposed').count()}")


if __name__ == "__main__":
    main()
