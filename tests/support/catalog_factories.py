"""Factories of the request catalogue: categories, items and their form fields."""

import factory

from servicerequests.models import ApprovalStep, CatalogCategory, CatalogItem, FieldType, ItemField, TaskTemplate

from .factories import ServiceFactory, TeamFactory


class CatalogCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")


class CatalogItemFactory(factory.django.DjangoModelFactory):
    """An item; `organizations=[org, ...]` offers it to those organizations only."""

    class Meta:
        model = CatalogItem
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Item {n}")
    summary = "Something you can ask for"
    category = factory.SubFactory(CatalogCategoryFactory)
    service = factory.SubFactory(ServiceFactory)

    @factory.post_generation
    def organizations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organizations.add(*extracted)


class ItemFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemField

    item = factory.SubFactory(CatalogItemFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"field_{n}")
    label = factory.LazyAttribute(lambda o: o.name.replace("_", " ").capitalize())
    type = FieldType.TEXT


class ApprovalStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovalStep

    item = factory.SubFactory(CatalogItemFactory)
    approver = "manager"


class TaskTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskTemplate

    item = factory.SubFactory(CatalogItemFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    team = factory.SubFactory(TeamFactory)


def offered_item(organization, **kwargs):
    """An active item whose service is in `organization`'s catalogue (offered to it, no organizations named)."""
    item = CatalogItemFactory(**kwargs)
    item.service.customers.add(organization)
    return item


def field(item, name, type=FieldType.TEXT, **kwargs):
    """A field of `item` after its existing ones."""
    kwargs.setdefault("order", item.fields.count() + 1)
    return ItemFieldFactory(item=item, name=name, type=type, **kwargs)
