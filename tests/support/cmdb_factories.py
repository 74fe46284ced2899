"""Factories for the CMDB: classes with a schema, CIs of a class, relationships.

The one configuration item factory of the test suite: incidents, events, slm and cmdb tests all use CIFactory.
"""

import factory

from cmdb.models import CIClass, ConfigurationItem, Relationship


class CIClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CIClass
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"class_{n}")
    label = factory.LazyAttribute(lambda o: o.name.replace("_", " ").title())
    attribute_schema = factory.LazyFunction(lambda: [
        {"name": "cpu_cores", "type": "integer", "required": True},
        {"name": "os", "type": "choice", "required": False, "choices": ["linux", "windows"]},
        {"name": "backed_up", "type": "boolean", "required": False},
        {"name": "installed_on", "type": "date", "required": False},
    ])


class CIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConfigurationItem

    name = factory.Sequence(lambda n: f"host-{n:04d}")
    organization = None
    # get_or_create: transactional (browser) tests flush the classes the data migration seeded
    ci_class = factory.LazyFunction(lambda: CIClass.objects.get_or_create(name="application",
                                                                          defaults={"label": "Application"})[0])


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    source = factory.SubFactory(CIFactory)
    target = factory.SubFactory(CIFactory)
    kind = "depends_on"


def chain(*names, kind="depends_on"):
    """CIs named `names`, each depending on the next: chain("app", "db", "disk") -> app -> db -> disk."""
    cis = [CIFactory(name=name) for name in names]
    for source, target in zip(cis, cis[1:]):
        RelationshipFactory(source=source, target=target, kind=kind)
    return cis


def depends_on(source, target, kind="depends_on"):
    return RelationshipFactory(source=source, target=target, kind=kind)
