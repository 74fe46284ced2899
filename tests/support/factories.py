import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core import permissions
from core.models import Organization, Profile, Team

User = get_user_model()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organization {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    password = factory.PostGenerationMethodCall("set_password", "pw-Secret-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()

    @factory.post_generation
    def organization(self, create, extracted, **kwargs):
        if create:
            Profile.objects.update_or_create(user=self, defaults={"organization": extracted})


def requester(**kw):
    return UserFactory(role=permissions.REQUESTER, **kw)


def agent(**kw):
    return UserFactory(role=permissions.AGENT, **kw)


def manager(**kw):
    return UserFactory(role=permissions.MANAGER, **kw)


def admin(**kw):
    return UserFactory(role=permissions.ADMIN, is_staff=True, is_superuser=True, **kw)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "slm.Service"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Service {n}")


def incident(actor=None, **data):
    """An incident created through the service layer, as the product creates them."""
    from incidents import services

    data.setdefault("title", "Printer on floor 3 is offline")
    actor = actor or agent()
    return services.create_incident(actor, data)


def problem(actor=None, **data):
    from problems import services as problem_services

    data.setdefault("title", "Mail server drops connections")
    return problem_services.create_problem(actor or agent(), data)
