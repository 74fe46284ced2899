"""Celery tasks of core: thin wrappers over services."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Outbox

log = logging.getLogger(__name__)
BATCH_SIZE = 100
MAX_ATTEMPTS = 8


def retry_delay(attempts):
    """Seconds before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, ... at most 1 h."""
    return min(3600, 30 * 2 ** max(0, attempts - 1))


def message(row, connection=None):
    """The e-mail of an Outbox row, with its threading headers; marked as sent by a machine, so that
    auto-responders stay quiet."""
    headers = {"Auto-Submitted": "auto-generated", **(row.headers or {})}
    if row.message_id:
        headers["Message-ID"] = row.message_id
    return EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.recipient], connection=connection,
                        headers=headers, reply_to=[row.reply_to] if row.reply_to else None)


def deliver_pending(batch_size=BATCH_SIZE, now=None, connection=None):
    """Send one bounded batch of pending e-mail rows that are due; returns (sent, failed, fetched).
    A failed row stays pending with its next attempt time (given up after MAX_ATTEMPTS). `connection`: a
    mail connection to send through (default: one from EMAIL_BACKEND)."""
    sent = failed = 0
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(Outbox.objects.select_for_update(skip_locked=True)
                    .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
                            status=Outbox.Status.PENDING, channel="email").order_by("id")[:batch_size])
        for row in rows:
            try:
                message(row, connection).send()
            except Exception as exc:
                row.attempts += 1
                row.last_error = str(exc)[:2000]
                row.status = Outbox.Status.FAILED if row.attempts >= MAX_ATTEMPTS else Outbox.Status.PENDING
                row.next_attempt_at = now + timedelta(seconds=retry_delay(row.attempts))
                row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
                failed += 1
                continue
            row.attempts += 1
            row.status, row.sent_at = Outbox.Status.SENT, timezone.now()
            row.save(update_fields=["attempts", "status", "sent_at"])
            sent += 1
    return sent, failed, len(rows)


@shared_task(name="core.deliver_outbox", bind=True, max_retries=MAX_ATTEMPTS)
def deliver_outbox(self):
    """Deliver pending rows; on failures retry with exponential backoff; re-queue while batches are full."""
    sent, failed, fetched = deliver_pending()
    if failed and not self.request.is_eager:
        raise self.retry(countdown=retry_delay(self.request.retries + 1))
    if fetched == BATCH_SIZE:
        deliver_outbox.delay()
    return sent
