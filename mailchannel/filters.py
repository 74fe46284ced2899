"""One FilterSet of inbound messages, shared by the mail log pages and /api/v1/inbound-messages/."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from .models import HELD_OUTCOMES, InboundMessage, Mailbox, Outcome

MAX_SENDER_TEXT = 200


class InboundMessageFilter(filters.FilterSet):
    mailbox = filters.ModelChoiceFilter(queryset=Mailbox.objects.order_by("name"), label=_("Mailbox"),
                                        empty_label=_("Any"))
    outcome = filters.ChoiceFilter(choices=Outcome.choices, label=_("Outcome"), empty_label=_("Any"))
    sender = filters.CharFilter(lookup_expr="icontains", label=_("Sender contains"), max_length=MAX_SENDER_TEXT)
    held = filters.BooleanFilter(method="filter_held", label=_("Held"))

    class Meta:
        model = InboundMessage
        fields = []

    def filter_held(self, queryset, name, value):
        if value is None:
            return queryset
        held = {"outcome__in": HELD_OUTCOMES}
        return queryset.filter(**held) if value else queryset.exclude(**held)


class HeldMessageFilter(InboundMessageFilter):
    """The held-mail list: only the outcomes that keep a message for an admin."""

    outcome = filters.ChoiceFilter(choices=[(o.value, o.label) for o in HELD_OUTCOMES], label=_("Outcome"),
                                   empty_label=_("Any"))
    held = None
