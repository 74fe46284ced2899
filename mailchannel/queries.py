"""Reads of the e-mail channel shared by the pages and the API."""

from django.db.models import BooleanField, ExpressionWrapper, Q

from .models import HELD_OUTCOMES, TICKET_OUTCOMES, InboundMessage, Mailbox, OrganizationDomain

# What a list row shows: never the stored message or its HTML.
ROW_FIELDS = ("id", "key", "message_id", "sender", "subject", "received_at", "outcome", "detail", "size",
              "mailbox_id", "mailbox__name", "ticket_id", "ticket__number", "ticket__kind", "handled_by_id")
TICKET_PANEL_LIMIT = 100


def _has(field):
    return ExpressionWrapper(~Q(**{field: ""}), output_field=BooleanField())


def mailboxes():
    return Mailbox.objects.select_related("team", "service", "organization", "catalog_item").order_by("name", "id")


def domains():
    return OrganizationDomain.objects.select_related("organization").order_by("domain", "id")


def messages():
    """Every inbound message, newest first, with its mailbox's name and its ticket's number (one query)."""
    return (InboundMessage.objects.select_related("mailbox", "ticket").only(*ROW_FIELDS)
            .annotate(has_raw=ExpressionWrapper(Q(raw__isnull=False), output_field=BooleanField()),
                      has_html=_has("html"))
            .order_by("-id"))


def held_messages():
    return messages().filter(outcome__in=HELD_OUTCOMES)


def ticket_messages(ticket):
    """The mail that opened or reached `ticket`, oldest first (at most TICKET_PANEL_LIMIT + 1 rows)."""
    rows = (InboundMessage.objects.filter(ticket_id=ticket.pk, outcome__in=TICKET_OUTCOMES)
            .only("id", "sender", "subject", "received_at", "outcome").annotate(has_html=_has("html"))
            .order_by("-id")[:TICKET_PANEL_LIMIT + 1])
    return list(rows)[::-1]


def sent_html_message(pk):
    """The message behind a "View as sent" link (its ticket is checked by the caller)."""
    return (InboundMessage.objects.select_related("ticket").only("id", "sender", "subject", "received_at", "html",
                                                                 "outcome", "ticket")
            .filter(pk=pk, outcome__in=TICKET_OUTCOMES, ticket__isnull=False).exclude(html="").first())
