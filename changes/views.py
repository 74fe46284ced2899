"""Change pages: the generic ticket views plus risk, plans, conflicts, authorisation and implementation."""

from core.ticket_views import TicketActionView, TicketCreateView, TicketDetailView

from . import conflicts


class ChangeCreateView(TicketCreateView):
    pass


class ChangeDetailView(TicketDetailView):
    def extra_context(self, ticket):
        return {"conflicts": conflicts.for_change(ticket)}


class ChangeActionView(TicketActionView, ChangeDetailView):
    pass
