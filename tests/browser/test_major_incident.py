"""Reassigning (team, then an agent of that team) and resolving a major incident with its children."""

import pytest

from incidents.models import Incident
from tests.support import factories
from tests.support.browser import login


@pytest.mark.django_db(transaction=True)
def test_reassign_then_resolve_parent_with_children(page, live_server):
    page.set_default_timeout(30000)  # CI machines run many suites at once
    agent = factories.agent(username="mim", first_name="Mia", last_name="Manager")
    network_agent = factories.agent(username="netops", first_name="Nat", last_name="Ops")
    factories.TeamFactory(name="Service Desk", members=[agent])
    network = factories.TeamFactory(name="Network", members=[network_agent])
    parent = factories.incident(title="Core switch failure", actor=agent, is_major=True,
                                major_incident_manager=agent, impact=1, urgency=1)
    children = [factories.incident(title=f"No network on floor {i}", actor=agent, parent=parent) for i in (2, 3)]

    login(page, live_server, "mim")
    page.goto(f"{live_server.url}/incidents/{parent.pk}/")
    page.click("summary:has-text('Reassign')")
    page.select_option("#reassign-team", label="Network")
    # the team's agents replace the list (data-team marks which team it shows)
    page.wait_for_selector(f"select[name=assignee][data-team='{network.pk}'] option[value='{network_agent.pk}']",
                           state="attached")
    page.select_option("select[name=assignee]", str(network_agent.pk))
    page.click("details[open] button:has-text('Reassign')")
    page.wait_for_selector("#field-assignee:has-text('Nat Ops')")
    parent.refresh_from_db()
    assert (parent.team, parent.assignee) == (network, network_agent)

    page.click("summary.transition-resolved")
    page.select_option("select[name='resolved-resolution_code']", "solved_workaround")
    page.fill("textarea[name='resolved-resolution_notes']", "Traffic moved to the standby switch.")
    assert page.is_checked("input[name='resolved-resolve_children']")
    page.screenshot(path="/tmp/ui-major-resolve.png", full_page=True)
    page.click("button[name=submit-resolved]")
    page.wait_for_selector("#state:has-text('Resolved')")
    page.screenshot(path="/tmp/ui-major-resolved.png", full_page=True)
    assert set(Incident.objects.filter(pk__in=[c.pk for c in children]).values_list("state", flat=True)) == {
        "resolved"}
