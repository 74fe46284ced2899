"""ticket_urls(KindViews(...)): a kind's urlpatterns, with the URL names every ticket template uses."""

from dataclasses import dataclass

from django.urls import path

from .actions import TicketActionView
from .detail import TicketDetailView
from .edit import TicketCreateView, TicketEditView
from .queue import TicketListView


@dataclass
class KindViews:
    """The view classes of one kind; each defaults to the generic one. `extra` holds further path()s."""

    kind: str
    list: type = TicketListView
    create: type = TicketCreateView
    detail: type = TicketDetailView
    edit: type = TicketEditView
    action: type = TicketActionView
    extra: tuple | list = ()


def ticket_urls(views: KindViews):
    """`{ns}:list` "", `:create` "new/", `:detail` "<pk>/", `:edit` "<pk>/edit/", `:action` "<pk>/act/<name>/"."""
    kind = views.kind
    return [
        path("", views.list.as_view(kind=kind), name="list"),
        path("new/", views.create.as_view(kind=kind), name="create"),
        *views.extra,
        path("<id:pk>/", views.detail.as_view(kind=kind), name="detail"),
        path("<id:pk>/edit/", views.edit.as_view(kind=kind), name="edit"),
        path("<id:pk>/act/<slug:name>/", views.action.as_view(kind=kind), name="action"),
    ]
