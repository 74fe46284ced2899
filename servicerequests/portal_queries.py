"""Reads of the requester's portal: the catalogue items a user is offered, the requester's own tickets (open or
closed, every kind a requester raises) and the expected-fulfilment sentence shown before ordering.

The catalogue reads are servicerequests.catalog_queries' (items_for / categories_for / search_items) when that
module exists; until then the same rule is applied here: an active item is offered to a user of organization O
when O is among its organizations, or when it names none and its service is offered to O. Staff are offered
every active item. A requester without an organization is offered nothing."""

from importlib import import_module

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import hooks, permissions, ui
from core.models import Ticket

from .models import CatalogCategory, CatalogItem

try:  # the catalogue's own reads, when they are there (servicerequests/catalog_queries.py)
    catalog_queries = import_module(f"{__package__}.catalog_queries")
except ModuleNotFoundError as missing:  # until the catalogue's reads are merged
    if missing.name != f"{__package__}.catalog_queries":
        raise
    catalog_queries = None

PORTAL_KINDS = ("incident", "request")  # what a requester raises: problems they report, things they ask for
HOME_LIST_SIZE = 25
LIST_PAGE_SIZE = 25
SEARCH_LIMIT = 20
ITEM_FIELDS = ("id", "name", "summary", "icon", "category_id", "order")


def organization_id(user):
    return getattr(getattr(user, "profile", None), "organization_id", None)


def _offered_here(user):
    items = CatalogItem.objects.filter(active=True)
    if permissions.is_agent(user):
        return items
    org = organization_id(user)
    if not org:
        return items.none()
    offered = Q(organizations=org) | Q(organizations__isnull=True, service__customers=org)
    return items.filter(pk__in=CatalogItem.objects.filter(offered).values("pk"))


def offered_items(user):
    """The catalogue items `user` may order (a queryset of CatalogItem)."""
    if catalog_queries is not None and hasattr(catalog_queries, "items_for"):
        return catalog_queries.items_for(user)
    return _offered_here(user)


def item_for(user, pk):
    """The item `pk` if offered to `user`, else None (the order page's 404)."""
    return offered_items(user).select_related("category", "service").filter(pk=pk).first()


def categories_with_items(user, category=None):
    """[(category, [items])] of the items offered to `user`, in catalogue order, empty categories left out;
    `category` (an id) keeps only that one. Two queries."""
    items = offered_items(user).only(*ITEM_FIELDS)
    if category:
        items = items.filter(category_id=category)
    categories = (CatalogCategory.objects.filter(pk__in=items.values("category_id"))
                  .prefetch_related(Prefetch("items", queryset=items.order_by("order", "name"), to_attr="offered")))
    return [(category, category.offered) for category in categories]


def categories_offered(user):
    """The categories that have an item offered to `user` (the catalogue's filter)."""
    if catalog_queries is not None and hasattr(catalog_queries, "categories_for"):
        return catalog_queries.categories_for(user)
    return CatalogCategory.objects.filter(pk__in=offered_items(user).values("category_id"))


def search_items(user, text, limit=SEARCH_LIMIT):
    """Offered items whose name, summary or description contains every word of `text`."""
    if catalog_queries is not None and hasattr(catalog_queries, "search_items"):
        return list(catalog_queries.search_items(user, text)[:limit])
    words = text.split()[:8]
    if not words:
        return []
    items = offered_items(user).only(*ITEM_FIELDS)
    for word in words:
        items = items.filter(Q(name__icontains=word) | Q(summary__icontains=word) | Q(description__icontains=word))
    return list(items.order_by("name", "id")[:limit])


# --- the requester's own tickets ------------------------------------------------------------------

def my_tickets(user, tab="open"):
    """Incidents and requests `user` raised (requested or created) or, where their organization allows, their
    organization's: what the portal lists, never tickets they see only for another reason (an approval). Open
    ones, or every other (resolved, fulfilled, closed, cancelled) for tab "closed"; newest first."""
    kinds = [kind for kind in PORTAL_KINDS if kind in hooks.ticket_kinds]
    tickets = Ticket.objects.filter(permissions.requester_scope(user), kind__in=kinds)
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

def _duration(expected):
    seconds = expected.target_seconds
    if expected.business_hours:
        if seconds and seconds % (8 * 3600) == 0:
            days = seconds // (8 * 3600)
            return ngettext("%(count)d working day", "%(count)d working days", days) % {"count": days}
        hours = max(1, round(seconds / 3600))
        return ngettext("%(count)d working hour", "%(count)d working hours", hours) % {"count": hours}
    if seconds and seconds % 86400 == 0:
        days = seconds // 86400
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours = max(1, round(seconds / 3600))
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def describe(expected):
    """“Usually done within 2 working days; expected by Thu 3 Dec 17:00” in the user's time zone."""
    from . import expected as expected_module

    if hasattr(expected_module, "describe_expected"):
        return expected_module.describe_expected(expected)
    from django.utils.formats import date_format

    due = date_format(timezone.localtime(expected.due_at), "D j M H:i")
    return _("Usually done within %(duration)s; expected by %(due)s") % {"duration": _duration(expected),
                                                                         "due": due}


def expected_text(item, user):
    """The sentence for the order page, or "" when no service level target measures such requests."""
    from .expected import expected_fulfilment

    expected = expected_fulfilment(item, organization=getattr(getattr(user, "profile", None), "organization",
                                                              None))
    return describe(expected) if expected else ""
