"""A manager opens the compliance report and sees a breached incident in it."""

import pytest
from django.utils import timezone

from tests.support import factories
from tests.support import report_factories as rf
from tests.support.browser import login


@pytest.mark.django_db(transaction=True)
def test_manager_sees_breached_incident_in_compliance_report(page, live_server, tmp_path):
    factories.manager(username="maria")
    service = factories.ServiceFactory(name="E-mail")
    gold = rf.agreement(services=[service], name="Gold")
    resolution = rf.target(gold, "resolution", name="P5 resolution in 4 h")
    incident = rf.incident(service=service, title="Mail server down for finance")
    rf.timer(incident, resolution, breached_at=timezone.now() - timezone.timedelta(minutes=5))

    login(page, live_server, "maria")
    page.goto(f"{live_server.url}/slm/reports/compliance/")
    assert page.locator("h1").inner_text().startswith("SLA compliance")
    row = page.locator("#compliance tbody tr", has_text="E-mail")
    assert row.locator("td").nth(3).inner_text() == "1"  # breached
    breach = page.locator("#breaches tbody tr", has_text=incident.number)
    assert "Mail server down for finance" in breach.inner_text()
    assert page.locator("figure.trend-chart svg rect.bar").count() == 6
    page.screenshot(path=str(tmp_path / "sla_report.png"), full_page=True)
    breach.get_by_role("link", name=incident.number).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/incidents/{incident.pk}/")
    assert incident.number in page.content()
