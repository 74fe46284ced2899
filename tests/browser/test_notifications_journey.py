"""An agent watches a ticket with the page's button (htmx), a reply arrives, the header badge shows it, the
notification opens the ticket and "Mark all read" clears the badge."""

import pytest

from core import services as core_services
from core.models import TicketWatcher
from tests.support import factories
from tests.support.browser import login


@pytest.mark.django_db(transaction=True)
def test_watch_reply_badge_and_mark_all_read(page, live_server):
    page.set_default_timeout(30000)
    agent = factories.agent(username="wanda")
    other = factories.agent(username="otto")
    incident = factories.incident(actor=other, title="Wi-Fi drops in the lobby")
    login(page, live_server, "wanda")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    page.click(".watch-button button:has-text('Watch')")
    page.wait_for_selector(".watch-button button:has-text('Stop watching')")
    assert TicketWatcher.objects.filter(user=agent, ticket=incident).exists()

    core_services.add_comment(incident, other, "Access point replaced")
    page.goto(f"{live_server.url}/")
    assert page.inner_text("#unread-count").strip() == "1"
    page.click("a.notifications-link")
    page.wait_for_selector("table.notifications tr.unread")
    page.screenshot(path="/tmp/ui-notifications.png", full_page=True)
    page.click("#mark-all-read")
    page.wait_for_selector("table.notifications tr.read")
    assert page.locator("#unread-count").count() == 0
    page.click(f"text={incident.number}: new reply")
    page.wait_for_selector(f"text={incident.title}")
    assert f"/incidents/{incident.pk}/" in page.url
