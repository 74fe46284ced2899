"""The generic server-rendered ticket UI: queue, page, create/edit and inline actions for every kind.

A kind registers a core.hooks.TicketKind and declares `urlpatterns = ticket_urls(KindViews("incident", ...))`;
see docs/architecture.md, "The ticket layer".
"""

from .actions import TicketActionView
from .base import TicketKindMixin, TicketView, form_errors_from
from .detail import TicketDetailView
from .edit import TicketCreateView, TicketEditView
from .queue import TicketListView
from .urls import KindViews, ticket_urls

__all__ = ["KindViews", "TicketActionView", "TicketCreateView", "TicketDetailView", "TicketEditView",
           "TicketKindMixin", "TicketListView", "TicketView", "form_errors_from", "ticket_urls"]
