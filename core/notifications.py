"""Notifications are rows first, written in the transaction of the change they tell of.

E-mail is a core.models.Outbox row delivered by the `core.deliver_outbox` task after commit; if the broker is
down when the task is queued, nothing is lost: the rows stay pending and the beat entry `core-deliver-outbox`
delivers them later. In-app notifications are core.models.Notification rows. `send` turns notices about
users into both, after each user's preferences, rendered in each recipient's language.
"""

import logging
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from . import mail_threading, permissions
from .models import Notification, NotificationPreference, Outbox

log = logging.getLogger(__name__)


def _kick_delivery():
    from .tasks import deliver_outbox

    try:
        deliver_outbox.delay()
    except Exception:  # the broker is unreachable: the beat entry re-delivers the pending rows
        log.warning("outbox delivery could not be queued; pending rows wait for the next beat", exc_info=True)


def queue_emails(messages, event=None):
    """Messages are (recipients, subject, body, ticket or ticket id): one pending Outbox row per distinct
    non-empty address of each, in one INSERT; delivery is queued on commit. With an `event`, addresses of
    users who switched that event's e-mail off are left out."""
    opted_out = _email_opt_outs(event, messages) if event else set()
    threads = mail_threading.headers_for(_tickets(ticket for *_rest, ticket in messages))
    rows = []
    for recipients, subject, body, ticket in messages:
        number = getattr(ticket, "number", "")
        headers, reply_to = threads.get(getattr(ticket, "pk", ticket), ({}, ""))
        rows += [Outbox(channel="email", recipient=address, subject=str(subject)[:255], body=str(body),
                        ticket_id=getattr(ticket, "pk", ticket), message_id=mail_threading.new_message_id(number),
                        headers=headers, reply_to=reply_to)
                 for address in dict.fromkeys(r.strip() for r in recipients if r and r.strip())
                 if address.lower() not in opted_out]
    if rows:
        Outbox.objects.bulk_create(rows)
        transaction.on_commit(_kick_delivery)
    return rows


def _tickets(tickets):
    """Ticket rows of these tickets or ticket ids (ids are read in one query)."""
    from .models import Ticket

    tickets = [ticket for ticket in tickets if ticket is not None]
    ids = [ticket for ticket in tickets if not hasattr(ticket, "pk")]
    rows = [ticket for ticket in tickets if hasattr(ticket, "pk")]
    if ids:
        rows += list(Ticket.objects.filter(pk__in=ids).only("pk", "number"))
    return rows


def queue_email(recipients, subject, body, ticket=None):
    """One message; see queue_emails."""
    return queue_emails([(recipients, subject, body, ticket)])


def _email_opt_outs(event, messages):
    addresses = {r.strip() for recipients, *_rest in messages for r in recipients if r and r.strip()}
    if not addresses:
        return set()
    return {email.lower() for email in NotificationPreference.objects.filter(
        event=event, email=False, user__email__in=addresses).values_list("user__email", flat=True)}


# --- notices about users -------------------------------------------------------------------------

@dataclass
class Notice:
    """Tell `user` about `event` on `ticket`; render(user) -> (text, subject, body) in the active language.
    email=False: in-app only (the team's own address gets the e-mail)."""

    user: object
    event: str
    ticket: object
    render: Callable
    email: bool = True


def users_by_id(ids):
    """Active users with their profiles (for the language), in one query."""
    ids = {pk for pk in ids if pk}
    if not ids:
        return {}
    users = list(get_user_model().objects.filter(pk__in=ids, is_active=True).select_related("profile"))
    permissions.preload_roles(users)
    return {user.pk: user for user in users}


def language_of(user):
    profile = getattr(user, "profile", None)
    return (profile.language if profile else "") or settings.LANGUAGE_CODE


def preferences(user_ids):
    """{(user_id, event): (in_app, email)} of the rows that exist; a missing row means both on."""
    rows = NotificationPreference.objects.filter(user_id__in=user_ids).values_list("user_id", "event", "in_app",
                                                                                    "email")
    return {(user_id, event): (in_app, email) for user_id, event, in_app, email in rows}


def send(notices, actor=None):
    """Write the in-app rows and queue the e-mails of `notices`: one per user (the first wins), never to the
    actor, each as the user's preferences say, rendered in the user's language."""
    chosen = {}
    for notice in notices:
        if notice.user is None or (actor is not None and notice.user.pk == actor.pk):
            continue
        chosen.setdefault(notice.user.pk, notice)
    if not chosen:
        return [], []
    choices = preferences(list(chosen))
    rows, messages = [], []
    for notice in chosen.values():
        in_app, email = choices.get((notice.user.pk, notice.event), (True, True))
        if not (in_app or (email and notice.email and notice.user.email)):
            continue
        with translation.override(language_of(notice.user)):
            text, subject, body = (str(part) for part in notice.render(notice.user))
        if in_app:
            rows.append(Notification(recipient=notice.user, ticket_id=getattr(notice.ticket, "pk", None),
                                     kind=notice.event, text=text[:500]))
        if email and notice.email and notice.user.email:
            messages.append(([notice.user.email], subject, body, notice.ticket))
    if rows:
        Notification.objects.bulk_create(rows)
    return rows, queue_emails(messages) if messages else []
