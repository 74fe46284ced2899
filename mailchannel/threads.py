"""Which ticket a message belongs to, and where a ticket's mail thread started (core.mail_threading)."""

from core import mail_threading

from .models import InboundMessage, Outcome


def mail_origins(ticket_ids):
    """{ticket_id: (Message-ID of the mail that opened it, its mailbox's address)} for tickets opened by mail."""
    rows = (InboundMessage.objects.filter(ticket_id__in=ticket_ids, outcome__in=(Outcome.CREATED, Outcome.FOLLOW_UP))
            .order_by("id").values_list("ticket_id", "message_id", "mailbox__address"))
    origins = {}
    for ticket_id, message_id, address in rows:
        origins.setdefault(ticket_id, (message_id or "", address or ""))
    return origins


def referenced_ticket_ids(message_ids):
    """Tickets the given Message-IDs (In-Reply-To, References) point at, nearest first: ids we sent name their
    ticket; ids of mail we received are looked up."""
    from core.models import Ticket

    numbers = [n for n in (mail_threading.ticket_number_in(m) for m in message_ids) if n]
    found = dict(Ticket.objects.filter(number__in=numbers).values_list("number", "pk")) if numbers else {}
    received = dict(InboundMessage.objects.filter(message_id__in=[m for m in message_ids if m],
                                                  ticket__isnull=False).values_list("message_id", "ticket_id"))
    ordered = []
    for message_id in message_ids:
        number = mail_threading.ticket_number_in(message_id)
        pk = found.get(number) if number else received.get(message_id)
        if pk and pk not in ordered:
            ordered.append(pk)
    return ordered
