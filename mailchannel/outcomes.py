"""What became of a message, in words (the held-mail page and the API say it the same way)."""

from django.contrib import messages
from django.utils.translation import gettext as _

from .models import HELD_OUTCOMES, TICKET_OUTCOMES


def is_held(message):
    return message.outcome in HELD_OUTCOMES


def describe_result(message):
    """(message level, sentence) for a retried or discarded message."""
    if message.outcome in TICKET_OUTCOMES and message.ticket_id:
        return messages.SUCCESS, _("The message from %(sender)s became %(number)s (%(outcome)s).") % {
            "sender": message.sender, "number": message.ticket.number, "outcome": message.get_outcome_display()}
    text = _("The message from %(sender)s: %(outcome)s.") % {"sender": message.sender,
                                                             "outcome": message.get_outcome_display()}
    level = messages.ERROR if is_held(message) else messages.INFO
    return level, f"{text} {message.detail}".strip()
