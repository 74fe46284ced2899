"""A requester starts describing a problem in the portal and is offered a matching answer before submitting;
the incident they then send records that the answer was shown."""

import pytest

from incidents.models import Incident
from knowledge.models import ArticleShown, Audience
from tests.knowledge.support import article
from tests.support import factories
from tests.support.browser import login


@pytest.mark.django_db(transaction=True)
def test_requester_is_offered_an_answer_while_typing(page, live_server):
    page.set_default_timeout(30000)
    author = factories.agent(username="kb-writer")
    public = article(author, title="Printer shows offline", body="Add the printer again.")
    article(author, title="Printer offline: vendor escalation", audience=Audience.AGENTS)
    factories.requester(username="portal-kb")

    login(page, live_server, "portal-kb")
    page.locator("#id_title").press_sequentially("printer offline", delay=30)
    page.wait_for_selector("#kb-suggestion-list >> text=Printer shows offline")
    assert "vendor escalation" not in page.inner_text("#kb-suggestions")
    page.screenshot(path="/tmp/ui-portal-kb-suggest.png", full_page=True)

    page.click("button:has-text('Send')")
    page.wait_for_selector("#ticket")
    incident = Incident.objects.get(title="printer offline")
    assert list(ArticleShown.objects.filter(ticket_id=incident.pk).values_list("article_id", flat=True)) == [
        public.pk]
