"""A requester of organization B sees nothing of organization A: not in the service catalogue, search,
pickers, notifications, saved views, bulk actions or exports. One test per finding of the isolation audit."""

from types import SimpleNamespace

import pytest
from django.test import Client

from tests.support import factories
from tests.support.cmdb_factories import CIFactory
from tests.support.slm_factories import AgreementFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_service():
    """A service offered to Globex (A) and to Initech (B), running on an internal CI and a Globex CI."""
    globex, initech = factories.OrganizationFactory(name="Globex Secret Corp"), factories.OrganizationFactory(
        name="Initech")
    service = factories.ServiceFactory(name="Mail", description="E-mail for everyone")
    service.customers.add(globex, initech)
    internal = CIFactory(name="mx-internal-relay-07", service=service)
    theirs = CIFactory(name="globex-mailgw-01", service=service, organization=globex)
    mine = AgreementFactory(name="Initech mail SLA", organization=initech)
    mine.services.add(service)
    TargetFactory(agreement=mine, name="Initech mail resolution", service=service)
    other = AgreementFactory(name="Globex platinum SLA", organization=globex)
    other.services.add(service)
    TargetFactory(agreement=other, name="Globex platinum resolution", service=service)
    me = factories.requester(username="initech-req", organization=initech)
    secrets = [globex.name, internal.name, theirs.name, other.name, "Globex platinum resolution"]
    return SimpleNamespace(service=service, me=me, secrets=secrets)


def assert_no_secret(text, secrets, where):
    for secret in secrets:
        assert secret not in text, f"{where} names {secret!r}"


def test_service_pages_show_a_requester_only_their_own_view_of_the_service(shared_service):
    client = Client()
    client.force_login(shared_service.me)
    for url in ("/slm/services/", f"/slm/services/{shared_service.service.pk}/"):
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Mail" in text
        assert_no_secret(text, shared_service.secrets, url)
    detail = client.get(f"/slm/services/{shared_service.service.pk}/").content.decode()
    assert "Initech mail resolution" in detail  # their own SLA targets


def test_service_api_shows_a_requester_no_other_customers_or_internal_items(shared_service, api_as):
    api = api_as(shared_service.me)
    for response in (api.get("/api/v1/services/"), api.get("/api/v1/services/", {"search": "mai"}),
                     api.get(f"/api/v1/services/{shared_service.service.pk}/")):
        assert response.status_code == 200
        text = response.content.decode()
        assert "Mail" in text
        assert_no_secret(text, shared_service.secrets, response.request["PATH_INFO"])
        row = response.json()["results"][0] if "results" in response.json() else response.json()
        assert "customers" not in row and "configuration_items" not in row


def test_staff_still_see_every_customer_and_item_of_a_service(shared_service, api_as):
    row = api_as(factories.agent()).get(f"/api/v1/services/{shared_service.service.pk}/").json()
    assert len(row["customers"]) == 2 and len(row["configuration_items"]) == 2
    client = Client()
    client.force_login(factories.agent())
    page = client.get(f"/slm/services/{shared_service.service.pk}/").content.decode()
    assert "Globex Secret Corp" in page and "mx-internal-relay-07" in page
