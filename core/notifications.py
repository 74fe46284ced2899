"""Notifications are rows first (core.models.Outbox), delivered by the `core.deliver_outbox` task after commit.

If the broker is down when the task is queued, nothing is lost: the rows stay pending and the beat entry
`core-deliver-outbox` delivers them later.
"""

import logging

from django.db import transaction

from .models import Outbox

log = logging.getLogger(__name__)


def _kick_delivery():
    from .tasks import deliver_outbox

    try:
        deliver_outbox.delay()
    except Exception:  # the broker is unreachable: the beat entry re-delivers the pending rows
        log.warning("outbox delivery could not be queued; pending rows wait for the next beat", exc_info=True)


def queue_emails(messages):
    """Messages are (recipients, subject, body, ticket or ticket id): one pending Outbox row per distinct
    non-empty address of each, in one INSERT; delivery is queued on commit."""
    rows = [Outbox(channel="email", recipient=address, subject=str(subject)[:255], body=str(body),
                   ticket_id=getattr(ticket, "pk", ticket))
            for recipients, subject, body, ticket in messages
            for address in dict.fromkeys(r.strip() for r in recipients if r and r.strip())]
    if rows:
        Outbox.objects.bulk_create(rows)
        transaction.on_commit(_kick_delivery)
    return rows


def queue_email(recipients, subject, body, ticket=None):
    """One message; see queue_emails."""
    return queue_emails([(recipients, subject, body, ticket)])
