"""Writes of in-app notifications and ticket watchers (preferences: core.account_services)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions
from .models import Notification, TicketWatcher


# --- watchers ----------------------------------------------------------------------------------

def is_watching(user, ticket):
    return TicketWatcher.objects.filter(ticket_id=ticket.pk, user_id=user.pk).exists()


@transaction.atomic
def watch_ticket(ticket, user):
    """Follow a ticket's public replies and state changes; only a ticket the user may see. Idempotent."""
    if not permissions.can_view(user, ticket):
        raise ValidationError({"ticket": _("You cannot watch a ticket you cannot see.")})
    try:
        with transaction.atomic():
            TicketWatcher.objects.get_or_create(ticket_id=ticket.pk, user_id=user.pk)
    except IntegrityError:  # a concurrent request added the same row
        pass
    return True


@transaction.atomic
def unwatch_ticket(ticket, user):
    """Stop watching; True when the user was watching."""
    return TicketWatcher.objects.filter(ticket_id=ticket.pk, user_id=user.pk).delete()[0] > 0


# --- in-app notifications ------------------------------------------------------------------------

def mark_read(user, ids):
    """Mark some of the user's own notifications read; returns how many changed."""
    return Notification.objects.filter(recipient=user, pk__in=list(ids), read_at__isnull=True).update(
        read_at=timezone.now())


def mark_all_read(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
