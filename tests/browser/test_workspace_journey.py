"""The agent workspace journey: a portal report is routed by an assignment rule to a team, an agent of that
team finds it in My work, answers with a canned response chosen by keyboard and adds a work note, and the
requester reads the reply (placeholders filled) but never the note."""

import re

import pytest

from core import desk_services
from core.desk_models import AssignMode
from core.models import Channel
from incidents.models import Incident
from tests.support import factories, slm_factories
from tests.support.browser import login

CANNED_BODY = "Hello {requester.first_name}, we are on it: {ticket.number}"
NOTE = "Switch port 12 flapping, vendor case 4711"


def _set_up_the_desk(assign):
    """What a manager configured before: the Network team, its rule for portal tickets, a canned response
    for the team and an SLA for the requester's organization."""
    acme = factories.OrganizationFactory(name="Acme")
    manager = factories.manager(username="desk-manager")
    factories.requester(username="mei", first_name="Mei", last_name="Chen", organization=acme)
    agent = factories.agent(username="net-agent", first_name="Ana", last_name="Ortiz")
    network = factories.TeamFactory(name="Network", members=[agent])
    factories.TeamFactory(name="Facilities", members=[factories.agent(username="other-agent")])
    desk_services.save_assignment_rule(manager, {
        "name": "Portal to Network", "order": 10, "active": True,
        "conditions": {"channel": [Channel.PORTAL], "organization": [acme.pk]}, "team": network, "assign": assign})
    desk_services.save_canned_response(manager, {"title": "We are on it", "body": CANNED_BODY, "team": network})
    slm_factories.TargetFactory(agreement__organization=acme, target_seconds=8 * 3600)
    return agent


def _report_in_portal(browser, live_server, title):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30000)
    login(page, live_server, "mei")
    page.fill("#id_title", title)
    page.fill("#id_description", "Nobody on the third floor can reach the file server since 9:00.")
    page.click("form[action$='/incidents/report/'] button[type=submit]")
    page.wait_for_selector("#ticket")
    incident = Incident.objects.get(title=title)
    assert f"Thank you. Your incident {incident.number} was recorded." in page.inner_text(".messages")
    context.close()
    return incident


@pytest.mark.parametrize("assign,section", [(AssignMode.ROUND_ROBIN, "assigned"), (AssignMode.NONE, "unassigned")])
@pytest.mark.django_db(transaction=True)
def test_portal_report_routed_answered_with_canned_reply(browser, page, live_server, assign, section):
    page.set_default_timeout(30000)  # CI machines run many suites at once
    agent = _set_up_the_desk(assign)
    title = "Third floor cannot reach the file server"

    incident = _report_in_portal(browser, live_server, title)
    assert incident.channel == Channel.PORTAL and incident.team.name == "Network"
    assert incident.assignee_id == (agent.pk if assign == AssignMode.ROUND_ROBIN else None)

    # The agent finds it in My work, in the right section, with its SLA badge.
    login(page, live_server, "net-agent")
    page.wait_for_selector("#work-assigned")
    work = page.locator(f"#work-{section}")
    row = work.locator("tr", has_text=incident.number)
    assert row.count() == 1 and title in row.inner_text()
    headers = [h.strip() for h in work.locator("thead th").all_inner_texts()]
    assert any("SLA" in h for h in headers), headers
    badge = row.locator(".sla")
    assert "sla-ok" in badge.get_attribute("class")
    assert re.search(r"\d+ h( \d+ min)? left", badge.inner_text())
    other = "unassigned" if section == "assigned" else "assigned"
    assert incident.number not in page.inner_text(f"#work-{other}")
    page.screenshot(path=f"/tmp/ui-my-work-{section}.png", full_page=True)

    # Its page tells why it landed in Network.
    row.locator(f"a:has-text('{incident.number}')").click()
    page.wait_for_selector("#ticket")
    timeline = page.inner_text("ol.timeline:not(.sla-timeline)")
    assert "Assigned by rule" in timeline and "Assignment rule" in timeline and "Portal to Network" in timeline

    # Reply tab: the canned response, chosen with the keyboard, rendered for this ticket.
    page.click("label[for=tab-reply]")
    search = page.locator("#canned-search-reply-body")
    search.wait_for(state="visible")
    search.click()
    page.keyboard.type("on it")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expected = f"Hello Mei, we are on it: {incident.number}"
    page.wait_for_function("document.getElementById('reply-body').value.includes('Hello')")
    assert page.input_value("#reply-body") == expected
    page.click("#panel-reply button[type=submit]")
    page.wait_for_selector(f".timeline .tl-comment:has-text('{expected}')")

    # An internal note, on the other tab.
    page.click("label[for=tab-note]")
    page.fill("#note-body", NOTE)
    page.click("#panel-note button[type=submit]")
    page.wait_for_selector(f".timeline .tl-work_note:has-text('{NOTE}')")

    # The requester, in a fresh session, opens it from their requests.
    requester_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    mine = requester_context.new_page()
    mine.set_default_timeout(30000)
    login(mine, live_server, "mei")
    mine.locator("#my-ticket-list li", has_text=incident.number).locator(f"a:has-text('{incident.number}')").click()
    mine.wait_for_selector("#ticket")
    body = mine.inner_text("#ticket")
    assert expected in body
    assert NOTE not in body and "vendor case" not in body.lower()
    assert mine.locator("#tab-note, #note-body, [data-canned-picker]").count() == 0
    assert "Reply to requester" not in body and "Your message to the service desk" in body
    mine.screenshot(path=f"/tmp/ui-requester-ticket-{section}.png", full_page=True)
    requester_context.close()
