"""Reads of the request catalogue shared by the API, the portal and the agents' pages.

Who sees which item: staff every active item; a requester the active items offered to their organization,
that is items naming it among their organizations, or items naming none whose service is in their
organization's service catalogue (slm's rule: the service's customers, as core.hooks.service_offered asks).
Someone without an organization sees none.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q

from core import permissions

from .models import CatalogCategory, CatalogItem, ItemField

SEARCH_WORDS = 5


def organization_id(user):
    return getattr(getattr(user, "profile", None), "organization_id", None)


def offered_q(organization_id):
    """Items offered to that organization (see the module's rule)."""
    through = CatalogItem.organizations.through
    named = Exists(through.objects.filter(catalogitem_id=OuterRef("pk"), organization_id=organization_id))
    any_named = Exists(through.objects.filter(catalogitem_id=OuterRef("pk")))
    service = CatalogItem.service.field.related_model.customers.through
    offered_service = Exists(service.objects.filter(service_id=OuterRef("service_id"),
                                                    organization_id=organization_id))
    return named | (~any_named & offered_service)


def items_for(user, active=True):
    """The catalogue items `user` may order (active ones unless active=None), category and service joined."""
    items = CatalogItem.objects.select_related("category", "service")
    if active is not None:
        items = items.filter(active=active)
    if not getattr(user, "is_authenticated", False):
        return items.none()
    if permissions.is_agent(user):
        return items
    org = organization_id(user)
    return items.filter(offered_q(org)) if org else items.none()


def all_items():
    """Every item, inactive ones included (what managers edit)."""
    return CatalogItem.objects.select_related("category", "service")


def with_form(items):
    """Prefetch each item's fields (one query for a page of items)."""
    return items.prefetch_related(Prefetch("fields", queryset=ItemField.objects.order_by("order", "id")))


def with_plan(items):
    """Prefetch the fulfilment plan: approval steps and task templates with their teams and users."""
    from .models import ApprovalStep, TaskTemplate

    return items.prefetch_related(
        Prefetch("approval_steps", queryset=ApprovalStep.objects.select_related("group", "user")),
        Prefetch("task_templates", queryset=TaskTemplate.objects.select_related("team")),
        "organizations")


def item_for(user, pk):
    """One item offered to `user`, or None."""
    return items_for(user).filter(pk=pk).first()


def categories_for(user):
    """Categories with at least one item `user` may order, in catalogue order."""
    return CatalogCategory.objects.filter(pk__in=items_for(user).values("category_id")).order_by("order", "name")


def filter_text(items, text):
    """Items whose name, summary or description contains every word of `text` (case-insensitive
    substrings, so Chinese text without spaces works too)."""
    for word in (text or "").split()[:SEARCH_WORDS]:
        items = items.filter(Q(name__icontains=word) | Q(summary__icontains=word) | Q(description__icontains=word))
    return items


def search_items(user, text, limit=10):
    """Items offered to `user` matching `text` (filter_text), in catalogue order; [] for no words."""
    if not (text or "").split():
        return []
    items = filter_text(items_for(user), text)
    return list(items.order_by("category__order", "order", "name", "id")[:limit])
