"""Reading the desk's mailboxes. Each unhandled message goes to `ingest`, which records it (by Message-ID) in the
transaction that handles it; only after that commit is the message marked handled on the server. A poll that
crashes in between leaves the message unhandled, and the next poll's ingest finds it already recorded.

    poll_mailbox(mailbox) -> {"read": n, "handled": n, "duplicates": n, "errors": n}
    poll_all() -> {mailbox name: counts}
"""

import logging
import time
import uuid

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import imap
from .models import InboundMessage, Mailbox

logger = logging.getLogger(__name__)

# Two polls never read one mailbox at once. The lock outlives the longest task (a killed worker's lock expires).
LOCK_SECONDS = getattr(settings, "CELERY_TASK_TIME_LIMIT", 90) + 60


def _ingest(mailbox, raw):
    from .ingest import ingest

    return ingest(mailbox, raw)


def poll_mailbox(mailbox, idle_seconds=None):
    """Hand the mailbox's unhandled messages to ingest (at most INBOUND_MAIL_BATCH, oldest first), then wait in
    IDLE for `idle_seconds` (default INBOUND_MAIL_IDLE_SECONDS) handling what arrives. Records last_polled_at and
    last_error. A message ingest fails on stays unhandled and is counted in "errors"; "duplicates" are messages
    ingest had already recorded (marked handled now); "handled" counts every message marked handled."""
    counts = {"read": 0, "handled": 0, "duplicates": 0, "errors": 0}
    lock, token = f"mailchannel:poll:{mailbox.pk}", uuid.uuid4().hex
    if not cache.add(lock, token, LOCK_SECONDS):
        logger.info("Mailbox %s: another poll is reading it; skipped", mailbox)
        return counts
    idle_seconds = settings.INBOUND_MAIL_IDLE_SECONDS if idle_seconds is None else idle_seconds
    error = ""
    try:
        with imap.connect(mailbox) as client:
            client.select()
            run = _Run(mailbox, client, counts)
            run.read()
            if idle_seconds > 0 and client.can_idle and run.budget > 0:
                deadline = time.monotonic() + idle_seconds
                while run.budget > 0 and (remaining := deadline - time.monotonic()) > 0.1:
                    if not client.idle(remaining):
                        break
                    run.read()
        error = run.error_summary()
    except imap.MailboxError as exc:
        error = str(exc)
        logger.warning("Mailbox %s: %s", mailbox, error)
    except Exception as exc:
        error = _("The poll stopped: %(error)s") % {"error": f"{exc.__class__.__name__}: {exc}"}
        raise
    finally:
        if cache.get(lock) == token:
            cache.delete(lock)
        Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error=error)
    return counts


class _Run:
    """One poll's reading: the batch budget, the counts, and the messages ingest failed on (not retried now)."""

    def __init__(self, mailbox, client, counts):
        self.mailbox, self.client, self.counts = mailbox, client, counts
        self.budget = settings.INBOUND_MAIL_BATCH
        self.failed = {}

    def read(self):
        uids = [uid for uid in self.client.unhandled_uids() if uid not in self.failed][:self.budget]
        for uid, size in self.client.sizes(uids).items():
            if size > settings.INBOUND_MAIL_MAX_BYTES:
                logger.warning("Mailbox %s: message %s is %s bytes, over INBOUND_MAIL_MAX_BYTES; handed to ingest "
                               "to be kept as failed", self.mailbox, uid, size)
        for uid in uids:
            self.budget -= 1
            raw = self.client.fetch(uid)
            if raw is None:
                logger.info("Mailbox %s: message %s was removed before it was read", self.mailbox, uid)
                continue
            self.counts["read"] += 1
            last_id = InboundMessage.objects.aggregate(last=Max("id"))["last"] or 0
            try:
                message = _ingest(self.mailbox, raw)
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:  # noqa: BLE001  (one bad message must not stop the others)
                logger.exception("Mailbox %s: message %s could not be handled; it stays unhandled",
                                 self.mailbox, uid)
                self.counts["errors"] += 1
                self.failed[uid] = f"{exc.__class__.__name__}: {exc}"
                continue
            if getattr(message, "pk", None) is not None and message.pk <= last_id:
                self.counts["duplicates"] += 1
            self.client.mark_handled(uid)
            self.counts["handled"] += 1

    def error_summary(self):
        if not self.failed:
            return ""
        count = len(self.failed)
        return ngettext(
            "%(count)s message could not be handled; it stays in the mailbox and is tried again at the next poll. "
            "Error: %(error)s",
            "%(count)s messages could not be handled; they stay in the mailbox and are tried again at the next "
            "poll. First error: %(error)s", count) % {"count": count, "error": next(iter(self.failed.values()))}


def poll_all(idle_seconds=None, mailboxes=None):
    """Poll every active mailbox (those configured in the UI and those from INBOUND_MAIL_URLS), or the given
    ones; the IDLE time (default INBOUND_MAIL_IDLE_SECONDS) is shared out among them. Returns {name: counts}."""
    if mailboxes is None:
        mailboxes = list(Mailbox.objects.filter(active=True))
    if not mailboxes:
        return {}
    idle_seconds = settings.INBOUND_MAIL_IDLE_SECONDS if idle_seconds is None else idle_seconds
    deadline = time.monotonic() + idle_seconds
    results = {}
    for index, mailbox in enumerate(mailboxes):
        share = max(0.0, deadline - time.monotonic()) / (len(mailboxes) - index)
        try:
            results[mailbox.name] = poll_mailbox(mailbox, idle_seconds=share)
        except SoftTimeLimitExceeded:
            raise
        except Exception:  # noqa: BLE001  (the next mailbox is still read)
            logger.exception("Mailbox %s: the poll failed", mailbox)
    return results
