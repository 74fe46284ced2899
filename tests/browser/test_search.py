"""The header search in a real browser: a bare ticket number lands on the ticket."""

import pytest

from tests.support import factories
from tests.support.browser import login


@pytest.mark.django_db(transaction=True)
def test_agent_types_a_bare_number_into_the_header_search_and_lands_on_the_ticket(page, live_server):
    page.set_default_timeout(30000)  # CI machines run many suites at once
    agent = factories.agent(username="searcher")
    factories.incident(actor=agent, title="Unrelated incident")
    ticket = factories.incident(actor=agent, title="Badge reader at gate 2 rejects cards")
    bare_number = str(int(ticket.number[3:]))

    login(page, live_server, "searcher")
    page.wait_for_load_state("load")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("s")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type(bare_number)
    page.keyboard.press("Enter")
    page.wait_for_selector("#ticket")
    assert ticket.number in page.inner_text("h1")
    assert page.url.endswith(f"/incidents/{ticket.pk}/")

    page.fill("header input[name=q]", "badge reader")
    page.keyboard.press("Enter")
    page.wait_for_selector("#search-results")
    assert page.locator("#search-results tbody tr[data-href]").count() == 1
