"""An agent filters canned responses with the keyboard and inserts one, rendered for the incident, into a reply."""

import pytest

from core.desk_models import CannedResponse
from tests.support import factories
from tests.support.browser import login


@pytest.mark.django_db(transaction=True)
def test_agent_inserts_a_canned_response_with_the_keyboard(page, live_server):
    page.set_default_timeout(30000)
    agent = factories.agent(username="canned", first_name="Ana")
    requester = factories.requester(first_name="Mei")
    ticket = factories.incident(agent, title="VPN down", requester=requester)
    CannedResponse.objects.create(title="Apology", body="Sorry for the wait.")
    CannedResponse.objects.create(title="Greeting", body="Hello {requester.first_name}, {agent.first_name} here.")
    login(page, live_server, "canned")
    page.goto(f"{live_server.url}/incidents/{ticket.pk}/")
    page.fill("#reply-body", "Note: ")
    search = page.locator("#canned-search-reply-body")
    search.wait_for(state="visible")
    search.fill("greet")
    search.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('reply-body').value.includes('Hello')")
    assert page.input_value("#reply-body") == "Note: Hello Mei, Ana here."
