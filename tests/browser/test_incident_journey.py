"""An agent's main journey in a real browser (Debian's Chromium)."""

import pytest

from incidents.models import Incident
from tests.support import factories
from tests.support.browser import login


@pytest.mark.django_db(transaction=True)
def test_agent_creates_finds_notes_and_resolves_an_incident(page, live_server):
    page.set_default_timeout(30000)  # CI machines run many suites at once
    agent = factories.agent(username="journey", first_name="Jo", last_name="Agent")
    factories.TeamFactory(name="Service Desk", members=[agent])
    factories.incident(title="Unrelated older incident", actor=agent)

    login(page, live_server, "journey")
    assert page.locator("h1").first.inner_text() == "My work"
    page.screenshot(path="/tmp/ui-my-work.png", full_page=True)

    page.click("nav >> text=New incident")
    page.fill("#id_title", "Payroll export fails with timeout")
    page.fill("#id_description", "Every run since 08:00 stops after 30 s.")
    page.select_option("#id_impact", "1")
    page.select_option("#id_urgency", "2")
    page.select_option("#id_team", label="Service Desk")
    page.screenshot(path="/tmp/ui-create.png", full_page=True)
    page.click("button:has-text('Create incident')")
    page.wait_for_selector("#ticket")
    incident = Incident.objects.get(title="Payroll export fails with timeout")
    assert incident.number in page.inner_text("h1")

    page.click("nav >> text=Incidents")
    page.wait_for_selector("#filter-form")
    page.wait_for_load_state("load")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.keyboard.type("payroll")
    page.check("input[name=state][value=new]")
    page.click("#filter-form button[type=submit]")
    rows = page.locator("#queue tbody tr[data-href]")
    assert rows.count() == 1
    page.screenshot(path="/tmp/ui-queue.png", full_page=True)
    page.locator("body").click(position={"x": 5, "y": 880})
    page.keyboard.press("j")
    assert "selected" in rows.first.get_attribute("class")
    page.keyboard.press("Enter")
    page.wait_for_selector("#ticket")
    assert incident.number in page.inner_text("h1")

    page.keyboard.press("i")  # the internal note tab, with the focus in its text box
    assert page.evaluate("document.activeElement.id") == "note-body"
    page.keyboard.type("Checked the export job logs; DB lock wait.")
    page.click(".note-form button[type=submit]")
    page.wait_for_selector(".tl-work_note:has-text('DB lock wait')")
    page.click("label[for=tab-reply]")
    page.fill("#reply-body", "We found the cause and are fixing it.")
    page.click(".reply-form button[type=submit]")
    page.wait_for_selector(".tl-comment:has-text('found the cause')")

    page.click("summary.transition-resolved")
    page.select_option("select[name='resolved-resolution_code']", "solved_permanently")
    page.fill("textarea[name='resolved-resolution_notes']", "Killed the blocking session and added an index.")
    page.click("button[name=submit-resolved]")
    page.wait_for_selector("#state:has-text('Resolved')")
    page.screenshot(path="/tmp/ui-resolved.png", full_page=True)
    incident.refresh_from_db()
    assert incident.state == "resolved"
    assert incident.comments.filter(is_internal=True).count() == 1
    assert incident.comments.filter(is_internal=False).count() == 1
