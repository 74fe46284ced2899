"""The incident form picks a configuration item by search and fills the service from it."""

import pytest

from incidents.models import Incident
from tests.support import factories
from tests.support.browser import login
from tests.support.cmdb_factories import CIFactory


@pytest.mark.django_db(transaction=True)
def test_agent_picks_a_ci_by_search_and_the_service_follows(page, live_server):
    page.set_default_timeout(30000)
    factories.agent(username="picker")
    service = factories.ServiceFactory(name="Payroll")
    ci = CIFactory(name="payroll-db-01", service=service)
    CIFactory(name="web-frontend-07")

    login(page, live_server, "picker")
    page.goto(f"{live_server.url}/incidents/new/")
    page.fill("#id_title", "Payroll runs are slow")
    page.click("label[for=id_configuration_item_search]")
    page.keyboard.type("payroll-db")
    option = page.locator(".picker-results li", has_text="payroll-db-01")
    option.wait_for()
    assert page.locator(".picker-results li", has_text="web-frontend-07").count() == 0
    option.click()
    assert page.input_value("#id_configuration_item") == str(ci.pk)
    assert page.input_value("#id_service") == str(service.pk)
    page.screenshot(path="/tmp/ui-ci-picker.png", full_page=True)
    page.click("button:has-text('Create incident')")
    page.wait_for_selector("#ticket")

    incident = Incident.objects.get(title="Payroll runs are slow")
    assert incident.configuration_item_id == ci.pk and incident.service_id == service.pk
    page.goto(f"{live_server.url}/incidents/{incident.pk}/edit/")
    assert page.input_value("#id_configuration_item_search") == "payroll-db-01"
