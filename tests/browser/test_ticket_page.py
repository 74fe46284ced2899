"""The ticket page's keyboard shortcuts, timeline order and the confirmed cancel, in a real browser."""

import pytest

from incidents.models import Incident
from tests.support import factories
from tests.support.browser import login


@pytest.mark.django_db(transaction=True)
def test_shortcuts_timeline_order_and_cancel_with_reason(page, live_server):
    page.set_default_timeout(30000)  # CI machines run many suites at once
    agent = factories.agent(username="keys", first_name="Kim", last_name="Keys")
    factories.TeamFactory(name="Service Desk", members=[agent])
    incident = factories.incident(title="Scanner offline", actor=agent)

    login(page, live_server, "keys")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    page.keyboard.press("a")
    page.wait_for_selector("#field-assignee:has-text('Kim Keys')")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reply-body"
    page.keyboard.type("First reply")
    page.click(".reply-form button[type=submit]")
    page.wait_for_selector(".tl-comment:has-text('First reply')")

    page.click("#timeline-order")
    page.wait_for_selector("#timeline-order:has-text('Newest first')")
    assert "First reply" in page.locator(".timeline li").first.inner_text()

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("summary.transition-cancelled")
    page.fill("textarea[name='cancelled-cancel_reason']", "Raised twice by mistake.")
    page.click("button[name=submit-cancelled]")
    page.wait_for_selector("#state:has-text('Cancelled')")
    page.screenshot(path="/tmp/ui-cancelled.png", full_page=True)
    incident = Incident.objects.get(pk=incident.pk)
    assert (incident.state, incident.cancel_reason) == ("cancelled", "Raised twice by mistake.")

    page.keyboard.press("e")
    page.wait_for_selector("form.ticket-form")
    assert page.url.endswith(f"/incidents/{incident.pk}/edit/")
