"""Threading headers of the mail we send about tickets: a stable Message-ID per message that names the ticket,
In-Reply-To and References pointing at the ticket's thread (the mail that opened it, else a root id per ticket),
the ticket number in the subject (core.notification_rules), and the reply-to of the mailbox the ticket came from.
Replies find their way back through `ticket_number_in` (the e-mail channel reads it)."""

import re
import secrets
from urllib.parse import urlsplit

from django.conf import settings

from . import hooks

NUMBER = r"[A-Z]{2,6}\d+"


def domain():
    return settings.MAIL_MESSAGE_ID_DOMAIN or urlsplit(settings.SITE_URL).hostname or "localhost"


def thread_root(number):
    return f"<{number}@{domain()}>"


def new_message_id(number=""):
    token = secrets.token_hex(8)
    return f"<{number}.{token}@{domain()}>" if number else f"<{token}@{domain()}>"


def ticket_number_in(message_id):
    """The ticket number a Message-ID of ours names, or None (another domain, or not one of ours)."""
    match = re.fullmatch(rf"<?({NUMBER})(?:\.[0-9a-f]+)?@{re.escape(domain())}>?", (message_id or "").strip())
    return match.group(1) if match else None


def is_ours(message_id):
    """True for any Message-ID this site generated (about a ticket or not)."""
    return bool(re.fullmatch(rf"<?[^@<>\s]+@{re.escape(domain())}>?", (message_id or "").strip()))


def headers_for(tickets):
    """{ticket_id: (headers, reply_to)} for these tickets: In-Reply-To and References of their thread."""
    tickets = {ticket.pk: ticket for ticket in tickets if ticket is not None}
    origins = {}
    for lookup in hooks.mail_origins:
        origins.update(lookup(list(tickets)))
    result = {}
    for pk, ticket in tickets.items():
        origin, reply_to = origins.get(pk, ("", ""))
        root = thread_root(ticket.number)
        references = f"{origin} {root}" if origin else root
        result[pk] = ({"In-Reply-To": origin or root, "References": references,
                       "X-ITSM-Ticket": ticket.number}, reply_to)
    return result
