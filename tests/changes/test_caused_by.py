"""Incidents caused by a change: suggestions on the incident page (48 hours, same CI, completed changes only),
the one-click link (audited on both tickets), both pages listing it, and who may do it."""

import pytest
from django.urls import reverse

from changes import caused_by
from core.models import AuditEntry, LinkKind, TicketLink
from tests.slm.clock import Clock
from tests.support import change_factories, factories
from tests.support.cmdb_factories import CIFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def switch():
    return CIFactory(name="core-switch-01")


def done(switch, **data):
    return change_factories.implemented(configuration_items=[switch], **data)


def test_suggests_changes_completed_on_the_incident_ci_in_the_48_hours_before(clock, switch):
    other_ci = CIFactory(name="edge-router")
    old = done(switch, title="Too early")
    clock.advance(hours=2)
    recent = done(switch, title="Within the window", close=True)
    elsewhere = done(other_ci, title="Another CI")
    in_flight = change_factories.change(configuration_items=[switch], title="Not implemented yet")
    clock.advance(hours=47)  # `old` ended 49 hours ago, `recent` 47
    incident = factories.incident(configuration_item=switch)
    clock.advance(hours=1)
    later = done(switch, title="After the incident")
    found = caused_by.suggestions(incident)
    assert [c.pk for c in found] == [recent.pk]
    assert {old.pk, elsewhere.pk, in_flight.pk, later.pk}.isdisjoint({c.pk for c in found})


def test_no_ci_no_suggestion_and_linked_changes_are_not_suggested_again(clock, switch):
    change = done(switch)
    clock.advance(hours=1)
    assert caused_by.suggestions(factories.incident()) == []
    incident = factories.incident(configuration_item=switch)
    assert [c.pk for c in caused_by.suggestions(incident)] == [change.pk]
    caused_by.link(incident, change, factories.agent())
    assert caused_by.suggestions(incident) == []
    assert [c.pk for c in caused_by.linked_changes(incident)] == [change.pk]
    assert [i.pk for i in caused_by.caused_incidents(change)] == [incident.pk]


def test_link_button_links_audits_and_both_pages_list_it(client, clock, switch):
    agent = factories.agent()
    change = done(switch)
    clock.advance(hours=3)
    incident = factories.incident(configuration_item=switch)
    client.force_login(agent)
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert 'id="caused-by-suggestions"' in page and change.number in page and "Caused by this change" in page
    response = client.post(reverse("changes:caused_by", args=[incident.pk]), {"change": change.pk})
    assert response.status_code == 302 and response["Location"] == reverse("incidents:detail", args=[incident.pk])
    assert TicketLink.objects.filter(source_id=incident.pk, target_id=change.pk, kind=LinkKind.CAUSED_BY).exists()
    assert AuditEntry.objects.filter(ticket_id=incident.pk, action="linked").exists()
    assert AuditEntry.objects.filter(ticket_id=change.pk, action="linked").exists()
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert 'id="caused-by-linked"' in page and 'id="caused-by-suggestions"' not in page
    page = client.get(reverse("changes:detail", args=[change.pk])).content.decode()
    assert 'id="caused-incidents"' in page and incident.number in page
    again = client.post(reverse("changes:caused_by", args=[incident.pk]), {"change": change.pk}, follow=True)
    assert "already linked" in again.content.decode()
    assert TicketLink.objects.filter(source_id=incident.pk, target_id=change.pk).count() == 1


def test_bad_change_ids_are_refused_without_error(client, switch):
    incident = factories.incident(configuration_item=switch)
    client.force_login(factories.agent())
    url = reverse("changes:caused_by", args=[incident.pk])
    for value in ("", "abc", "99999999999999999999", str(incident.pk)):
        response = client.post(url, {"change": value})
        assert response.status_code == 302
    assert not TicketLink.objects.exists()
    assert client.get(url).status_code == 405
    assert client.post(reverse("changes:caused_by", args=[999999]), {"change": 1}).status_code == 404


def test_requesters_neither_see_the_panel_nor_link(client, clock, switch):
    requester = factories.requester()
    change = done(switch)
    clock.advance(hours=1)
    incident = factories.incident(configuration_item=switch, requester=requester)
    client.force_login(requester)
    page = client.get(reverse("incidents:detail", args=[incident.pk]))
    assert page.status_code == 200 and b"caused-by-change" not in page.content
    response = client.post(reverse("changes:caused_by", args=[incident.pk]), {"change": change.pk})
    assert response.status_code == 403
    assert not TicketLink.objects.exists()


def test_api_lists_caused_incidents_and_filters(client, switch):
    agent = factories.agent()
    cause, innocent = done(switch), done(switch)
    incident = factories.incident(configuration_item=switch)
    caused_by.link(incident, cause, agent)
    client.force_login(agent)
    detail = client.get(f"/api/v1/changes/{cause.pk}/").json()
    assert detail["caused_incidents"] == [incident.pk]
    ids = [row["id"] for row in client.get("/api/v1/changes/?caused_incidents=true").json()["results"]]
    assert ids == [cause.pk]
    ids = [row["id"] for row in client.get("/api/v1/changes/?caused_incidents=false").json()["results"]]
    assert innocent.pk in ids and cause.pk not in ids
    assert client.get("/api/v1/changes/?caused_incidents=maybe").status_code == 400
