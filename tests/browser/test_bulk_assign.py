"""An agent selects tickets in the incident queue and assigns them to themselves in one go."""

import pytest

from incidents import services, workflow
from incidents.models import Incident
from tests.support import factories
from tests.support.browser import login


@pytest.mark.django_db(transaction=True)
def test_agent_bulk_assigns_three_incidents_one_is_refused(page, live_server):
    page.set_default_timeout(30000)
    agent = factories.agent(username="bulky", first_name="Bo", last_name="Agent")
    factories.TeamFactory(name="Service Desk", members=[agent])
    first = factories.incident(agent, title="Mail queue stuck")
    second = factories.incident(agent, title="VPN drops every hour")
    done = factories.incident(agent, title="Old printer issue")
    done = services.transition_incident(done, agent, workflow.RESOLVED,
                                        {"resolution_code": "solved_permanently", "resolution_notes": "Replaced"})
    services.transition_incident(done, agent, workflow.CLOSED)
    factories.incident(agent, title="Not selected")

    login(page, live_server, "bulky")
    page.goto(f"{live_server.url}/incidents/?open=all")  # the queue shows open work unless asked for all
    page.wait_for_selector("#bulk-form")
    assert "4 incidents" in page.inner_text(".queue-head")
    for incident in (first, second, done):
        page.check(f"input[name=ids][value='{incident.pk}']")
    assert page.inner_text("[data-bulk-count]") == "(3)"
    page.select_option("#bulk-action", "assign")
    assert page.is_visible("#bulk-assignee") and not page.is_visible("#bulk-note")
    page.select_option("#bulk-assignee", "me")
    page.click("#bulk-submit")
    page.wait_for_selector(".flash")
    flashes = page.inner_text(".messages")
    page.screenshot(path="/tmp/ui-bulk-assign.png", full_page=True)
    assert first.number in flashes and second.number in flashes
    assert f"Refused: {done.number} (It is Closed and can no longer be reassigned.)" in flashes
    assert page.url.endswith("/incidents/?open=all")
    assert set(Incident.objects.filter(assignee=agent).values_list("number", flat=True)) == {
        first.number, second.number}
