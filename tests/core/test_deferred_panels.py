"""Deferred ticket panels: the page holds a placeholder, the panel answers on its own URL to whoever may see the
ticket, and to no one else."""

import pytest

from core import hooks
from tests.support import factories
from tests.support.pages import ticket_page

pytestmark = pytest.mark.django_db

DEFERRED = [order for order, _template, _context, *options in hooks.ticket_panels if options and options[0]]


def test_the_suggestion_panels_are_deferred():
    assert len(DEFERRED) >= 2 and len(set(DEFERRED)) == len(DEFERRED)


def test_the_page_holds_placeholders_that_load_the_panels(client):
    agent = factories.agent()
    incident = factories.incident(agent, title="Printer offline")
    client.force_login(agent)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    for order in DEFERRED:
        assert f'hx-get="/tickets/{incident.pk}/panels/{order}/"' in page
    assert 'id="known-errors"' not in page and 'id="knowledge-panel"' not in page
    loaded = ticket_page(client, f"/incidents/{incident.pk}/")
    assert 'id="known-errors"' in loaded and 'id="knowledge-panel"' in loaded and "panel deferred" not in loaded


def test_a_panel_answers_only_those_who_may_see_the_ticket(client):
    agent, requester = factories.agent(), factories.requester()
    stranger = factories.requester(organization=factories.OrganizationFactory(name="Initech"))
    incident = factories.incident(agent, title="Printer offline", requester=requester)
    url = f"/tickets/{incident.pk}/panels/{DEFERRED[0]}/"
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(requester)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405
    client.force_login(agent)
    assert client.get(f"/tickets/{incident.pk}/panels/1/").status_code == 404  # not a deferred panel
    assert client.get(f"/tickets/999999/panels/{DEFERRED[0]}/").status_code == 404


def test_requesters_get_no_known_errors(client):
    agent, requester = factories.agent(), factories.requester()
    incident = factories.incident(agent, title="Printer offline", requester=requester)
    client.force_login(requester)
    page = ticket_page(client, f"/incidents/{incident.pk}/")
    assert 'id="known-errors"' not in page and 'id="knowledge-panel"' in page
