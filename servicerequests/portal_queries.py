"""Reads of the requester's portal: the catalogue items a user is offered, the requester's own tickets (open or
closed, every kind a requester raises) and the expected-fulfilment sentence shown before ordering.
Which items are offered is servicerequests.catalog_queries' rule."""

from django.db.models import Prefetch

from core import hooks, permissions, ui
from core.models import Ticket

from . import catalog_queries
from .expected import describe_expected, expected_fulfilment
from .models import CatalogCategory

PORTAL_KINDS = ("incident", "request")  # what a requester raises: problems they report, things they ask for
HOME_LIST_SIZE = 25
LIST_PAGE_SIZE = 25
ITEM_FIELDS = ("id", "name", "summary", "icon", "category_id", "order")


def categories_with_items(user, category=None):
    """[(category, [items])] of the items offered to `user`, in catalogue order, empty categories left out;
    `category` (an id) keeps only that one. Two queries."""
    items = catalog_queries.items_for(user).select_related(None).only(*ITEM_FIELDS)
    if category:
        items = items.filter(category_id=category)
    categories = (CatalogCategory.objects.filter(pk__in=items.values("category_id"))
                  .prefetch_related(Prefetch("items", queryset=items.order_by("order", "name"), to_attr="offered")))
    return [(category, category.offered) for category in categories]


# --- the requester's own tickets ------------------------------------------------------------------

def my_tickets(user, tab="open"):
    """Incidents and requests `user` raised (requested or created) or, where their organization allows, their
    organization's: what the portal lists, never tickets they see only for another reason (an approval). Open
    ones, or every other (resolved, fulfilled, closed, cancelled) for tab "closed"; newest first."""
    kinds = [kind for kind in PORTAL_KINDS if kind in hooks.ticket_kinds]
    tickets = Ticket.objects.filter(permissions.party_scope(user), kind__in=kinds)
    tickets = permissions.visible_tickets(user, tickets)
    open_q = ui.open_tickets_q()
    tickets = tickets.exclude(open_q) if tab == "closed" else tickets.filter(open_q)
    return tickets.only("id", "number", "kind", "title", "state", "updated_at", "created_at")


def home_rows(user, tab):
    """The first HOME_LIST_SIZE of my_tickets, and whether there are more."""
    rows = list(my_tickets(user, tab).order_by("-id")[:HOME_LIST_SIZE + 1])
    return ui.prepare_rows(rows[:HOME_LIST_SIZE]), len(rows) > HOME_LIST_SIZE


def list_page(user, tab, after="", before=""):
    page = ui.keyset_page(my_tickets(user, tab), ("-id",), after=after, before=before, size=LIST_PAGE_SIZE)
    ui.prepare_rows(page.rows)
    return page


# --- expected fulfilment --------------------------------------------------------------------------

def expected_text(item, user):
    """The sentence for the order page, or "" when no service level target measures such requests."""
    organization = getattr(getattr(user, "profile", None), "organization", None)
    return describe_expected(expected_fulfilment(item, organization=organization))
