"""Messages ingested per second from a mailbox of 1,000 messages, on a real Dovecot (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench_mail .venv/bin/python bench/mail_ingest.py

The database is created and migrated if needed. The IMAP server is the one named by IMAP_TEST_HOST and
IMAP_TEST_PORT, else a Dovecot of our own on a free loopback port (.ci/dovecot, as the tests start it), stopped at
the end. The desk user's INBOX is emptied and filled with --messages generated messages from --senders senders:
80 % new ones, 20 % replies (In-Reply-To and References) to an earlier new one of the same sender. Then
`poll_mailbox` runs (no IDLE) until the mailbox has nothing left, and the script prints the rate of the whole
poll (IMAP fetch + ingest + marking read) and of ingest alone (its time summed around each call), and what
became of the messages. The mailbox creates requesters and allows every sender enough mail not to be held.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
os.environ.setdefault("DEBUG", "0")  # no query log
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("LOG_LEVEL", "ERROR")

from bench.common import ensure_database  # noqa: E402

ensure_database(os.environ.get("DATABASE_URL", ""))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count, Max  # noqa: E402

from tests.support.imap import PASSWORD, clear, compose, deliver_many, dovecot  # noqa: E402

TOPICS = ["VPN drops every hour", "Printer on 3rd floor offline", "Outlook keeps asking for my password",
          "ERP invoice run failed", "Laptop will not boot", "Need access to the finance share",
          "Wi-Fi slow in meeting room B", "打印机无法连接", "无法登录 ERP 系统", "Phone has no dial tone"]


def messages(count, senders, reply_share, seed=14):
    """count raw messages: new ones, and replies to an earlier new one of the same sender."""
    rng = random.Random(seed)
    originals, raws, replies = [], [], 0
    for i in range(count):
        if originals and rng.random() < reply_share:
            sender, subject, message_id = rng.choice(originals)
            raws.append(compose(subject=f"Re: {subject}", sender=sender, body="Any news? It still happens.\n\n"
                                f"> {subject}", In_Reply_To=message_id, References=message_id))
            replies += 1
            continue
        sender = f"user{rng.randrange(senders):04d}@bench.example.com"
        subject = f"{rng.choice(TOPICS)} #{i}"
        raw = compose(subject=subject, sender=sender, body=f"Hello desk,\n\n{subject}. Please help.\n")
        message_id = next(line.split(b":", 1)[1].strip().decode() for line in raw.split(b"\r\n")
                          if line.lower().startswith(b"message-id:"))
        originals.append((sender, subject, message_id))
        raws.append(raw)
    return raws, replies


def desk_mailbox(server):
    from core.models import Team
    from mailchannel.models import Mailbox, Protocol

    mailbox, _created = Mailbox.objects.update_or_create(name="bench desk", defaults={
        "address": "desk@bench.example.com", "protocol": Protocol.IMAP, "host": server.host, "port": server.port,
        "username": "desk", "password": PASSWORD, "folder": "INBOX", "processed_folder": "", "active": True,
        "create_requesters": True, "senders_per_hour": 1_000_000, "team": Team.objects.order_by("id").first()})
    return mailbox


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=100)
    parser.add_argument("--reply-share", type=float, default=0.2)
    args = parser.parse_args()

    try:
        from mailchannel import ingest as ingest_module
    except ImportError:
        sys.exit("mailchannel.ingest is not there yet: this benchmark measures it.")
    from mailchannel.models import InboundMessage
    from mailchannel.polling import poll_mailbox

    call_command("migrate", verbosity=0)
    raws, replies = messages(args.messages, args.senders, args.reply_share)
    with dovecot() as server:
        clear(server, "desk")
        began = time.perf_counter()
        deliver_many(server, "desk", raws)
        filled = time.perf_counter() - began
        print(f"IMAP server {server.host}:{server.port}; load average {os.getloadavg()[0]:.2f}")
        print(f"filled the desk INBOX with {len(raws):,} messages ({len(raws) - replies:,} new, {replies:,} "
              f"replies, {sum(map(len, raws)) / len(raws):,.0f} bytes on average) in {filled:.1f} s")

        mailbox = desk_mailbox(server)
        first_id = (InboundMessage.objects.aggregate(last=Max("id"))["last"] or 0) + 1
        real_ingest, ingest_seconds = ingest_module.ingest, [0.0]

        def timed_ingest(mailbox, raw):
            started = time.perf_counter()
            try:
                return real_ingest(mailbox, raw)
            finally:
                ingest_seconds[0] += time.perf_counter() - started

        ingest_module.ingest = timed_ingest
        totals, polls = {"read": 0, "handled": 0, "duplicates": 0, "errors": 0}, 0
        began = time.perf_counter()
        try:
            while True:
                counts = poll_mailbox(mailbox, idle_seconds=0)
                polls += 1
                for key, value in counts.items():
                    totals[key] += value
                if counts["handled"] == 0:
                    break
        finally:
            ingest_module.ingest = real_ingest
        elapsed = time.perf_counter() - began
        mailbox.refresh_from_db()

    handled = totals["handled"]
    print(f"\n{polls} polls (INBOUND_MAIL_BATCH per poll): {totals}")
    if mailbox.last_error:
        print(f"last error: {mailbox.last_error}")
    print(f"{'measurement':44} {'seconds':>8} {'msg/s':>8} {'ms/msg':>8}")
    for name, seconds in (("poll: IMAP fetch + ingest + mark read", elapsed), ("ingest alone", ingest_seconds[0]),
                          ("IMAP and polling overhead", elapsed - ingest_seconds[0])):
        rate = handled / seconds if seconds else float("nan")
        per = seconds * 1000 / handled if handled else float("nan")
        print(f"{name:44} {seconds:8.2f} {rate:8.1f} {per:8.2f}")
    outcomes = (InboundMessage.objects.filter(id__gte=first_id).values_list("outcome")
                .annotate(n=Count("id")).order_by("-n"))
    print("outcomes: " + ", ".join(f"{outcome} {n}" for outcome, n in outcomes))


if __name__ == "__main__":
    main()
