"""The generic ticket layer through the incident pages: tabs, cancel reason, timeline order, shortcuts,
requester isolation on the page, and the queue's defaults and sorting."""

import pytest
from django.urls import reverse

from core import services as core_services
from core.models import Profile, TimelineOrder
from tests.support import factories
from tests.support.api_factories import incident_in_state

pytestmark = pytest.mark.django_db


def act(client, incident, name, data=None, **extra):
    return client.post(reverse("incidents:action", args=[incident.pk, name]), data or {}, **extra)


def page(client, incident):
    return client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()


@pytest.fixture
def agent_client(client, agent_user):
    client.force_login(agent_user)
    return client


# --- reply and internal note ---------------------------------------------------------------------

def test_agents_get_two_tabs_and_requesters_only_the_reply(client, agent_user, requester_user):
    incident = factories.incident(requester=requester_user)
    client.force_login(agent_user)
    body = page(client, incident)
    assert 'id="reply-body"' in body and 'id="note-body"' in body
    assert reverse("incidents:action", args=[incident.pk, "note"]) in body
    assert 'name="internal"' not in body.split('id="panel-reply"')[1].split("</section>")[0]
    for key in ("r", "i", "a", "e"):
        assert f'data-hotkey="{key}"' in body
    client.force_login(requester_user)
    body = page(client, incident)
    assert 'id="reply-body"' in body and 'id="note-body"' not in body
    assert reverse("incidents:action", args=[incident.pk, "note"]) not in body
    assert 'data-hotkey="i"' not in body and 'data-hotkey="a"' not in body


def test_unknown_action_is_refused(agent_client):
    incident = factories.incident()
    assert act(agent_client, incident, "comment", {"body": "old action"}).status_code == 403


# --- cancel needs a reason ------------------------------------------------------------------------

def test_cancel_needs_a_reason_and_asks_for_confirmation(agent_client):
    incident = factories.incident()
    body = page(agent_client, incident)
    assert 'name="cancelled-cancel_reason"' in body and "hx-confirm=" in body and "onsubmit=" in body
    response = act(agent_client, incident, "transition", {"to": "cancelled", "cancelled-version": incident.version})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    incident.refresh_from_db()
    assert incident.state == "new"
    response = act(agent_client, incident, "transition", {"to": "cancelled", "cancelled-cancel_reason": "Duplicate"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.state, incident.cancel_reason) == ("cancelled", "Duplicate")
    assert "Duplicate" in page(agent_client, incident)


def test_api_lists_cancel_reason_as_required_and_enforces_it(agent_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(agent_user)
    incident = factories.incident(actor=agent_user)
    detail = api.get(f"/api/v1/incidents/{incident.pk}/").json()
    cancel = next(t for t in detail["allowed_transitions"] if t["to"] == "cancelled")
    assert cancel["required"] == ["cancel_reason"]
    url = f"/api/v1/incidents/{incident.pk}/transition/"
    assert api.post(url, {"to": "cancelled"}, format="json").status_code == 400
    assert api.post(url, {"to": "cancelled", "cancel_reason": "Test ticket"}, format="json").status_code == 200


# --- timeline order -------------------------------------------------------------------------------

def test_timeline_order_is_toggled_and_remembered(agent_client, agent_user):
    incident = factories.incident(actor=agent_user)
    core_services.add_comment(incident, agent_user, "Later reply")
    timeline = agent_client.get(reverse("incidents:detail", args=[incident.pk])).context["timeline"]
    assert timeline[0].action == "created"
    assert act(agent_client, incident, "timeline-order", {"order": "newest"}).status_code == 302
    assert Profile.objects.get(user=agent_user).timeline_order == TimelineOrder.NEWEST_FIRST
    other = factories.incident(actor=agent_user)
    core_services.add_comment(other, agent_user, "Newest")
    response = agent_client.get(reverse("incidents:detail", args=[other.pk]))
    assert response.context["timeline"][0].body == "Newest"
    htmx = act(agent_client, other, "timeline-order", {"order": "oldest"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and htmx.context["timeline"][0].action == "created"
    assert act(agent_client, other, "timeline-order", {"order": "sideways"}).status_code == 400


# --- requester isolation on the page --------------------------------------------------------------

@pytest.fixture
def two_organizations():
    mine = factories.OrganizationFactory(name="Acme")
    theirs = factories.OrganizationFactory(name="Globex")
    me = factories.requester(username="acme-user", organization=mine)
    stranger = factories.requester(username="globex-user", organization=theirs)
    return me, stranger


def test_requester_never_sees_other_organizations_linked_records(client, agent_user, two_organizations):
    me, stranger = two_organizations
    own = factories.incident(title="My printer", requester=me)
    secret = factories.incident(title="Globex merger VPN", requester=stranger)
    visible = factories.incident(title="Also mine", requester=me)
    core_services.add_link(own, agent_user, secret, "related")
    core_services.add_link(secret, agent_user, own, "caused_by")
    core_services.add_link(own, agent_user, visible, "related")
    client.force_login(me)
    body = page(client, own)
    assert secret.number not in body and "Globex merger VPN" not in body
    assert visible.number in body
    client.force_login(agent_user)
    assert secret.number in page(client, own)


def test_the_timeline_says_links_in_words_both_ways(client, agent_user):
    problem = factories.problem(actor=agent_user)
    incident = factories.incident(title="Mail down")
    core_services.add_link(incident, agent_user, problem, "caused_by")
    client.force_login(agent_user)
    assert f"Caused by {problem.number}" in page(client, incident)
    problem_page = client.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert f"{incident.number} is caused by this ticket" in problem_page and "caused_by&lt;-" not in problem_page
    chinese = client.get(reverse("incidents:detail", args=[incident.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f"由 {problem.number} 引起" in chinese.content.decode()


def test_requester_never_sees_other_organizations_parent_or_children(client, agent_user, two_organizations):
    me, stranger = two_organizations
    parent = factories.incident(title="Globex outage", requester=stranger, is_major=True)
    mine = factories.incident(title="My child", requester=me, parent=parent)
    own_parent = factories.incident(title="My parent", requester=me)
    their_child = factories.incident(title="Globex child", requester=stranger, parent=own_parent)
    my_child = factories.incident(title="My other child", requester=me, parent=own_parent)
    client.force_login(me)
    body = page(client, mine)
    assert parent.number not in body and "Globex outage" not in body
    body = page(client, own_parent)
    assert their_child.number not in body and "Globex child" not in body
    assert my_child.number in body
    client.force_login(agent_user)
    body = page(client, own_parent)
    assert their_child.number in body and my_child.number in body
    assert parent.number in page(client, mine)


# --- queue --------------------------------------------------------------------------------------

def test_queue_shows_open_work_by_default_and_all_on_request(agent_client, agent_user):
    open_one = factories.incident(title="Still open")
    done = incident_in_state("resolved", actor=agent_user, title="Done")
    rows = agent_client.get(reverse("incidents:list")).context["page"].rows
    assert [r.number for r in rows] == [open_one.number]
    rows = agent_client.get(reverse("incidents:list"), {"open": "all"}).context["page"].rows
    assert [r.number for r in rows] == [done.number, open_one.number]
    rows = agent_client.get(reverse("incidents:list"), {"state": "resolved"}).context["page"].rows
    assert [r.number for r in rows] == [done.number]
    rows = agent_client.get(reverse("incidents:list"), {"open": "false"}).context["page"].rows
    assert [r.number for r in rows] == [done.number]


def test_queue_headers_sort_and_toggle(agent_client):
    low = factories.incident(title="Low", impact=3, urgency=3)
    high = factories.incident(title="High", impact=1, urgency=1)
    response = agent_client.get(reverse("incidents:list"), {"q": "", "ordering": "priority"})
    body = response.content.decode()
    assert [r.number for r in response.context["page"].rows] == [high.number, low.number]
    assert 'href="?q=&amp;ordering=-priority"' in body  # clicking again reverses
    assert 'aria-sort="ascending"' in body and 'href="?q=&amp;ordering=-id"' in body
    rows = agent_client.get(reverse("incidents:list"), {"ordering": "-priority"}).context["page"].rows
    assert [r.number for r in rows] == [low.number, high.number]
    assert "ordering=sla_due" in body


def test_queue_search_by_number_without_prefix(agent_client):
    hit = factories.incident(title="Number search")
    factories.incident(title="Another")
    digits = str(int(hit.number[3:]))
    for q in (digits, f"inc{digits}", hit.number):
        rows = agent_client.get(reverse("incidents:list"), {"q": q}).context["page"].rows
        assert [r.number for r in rows] == [hit.number], q


def test_api_keeps_showing_every_state_without_filters(agent_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(agent_user)
    incident_in_state("resolved", actor=agent_user)
    factories.incident(actor=agent_user)
    assert len(api.get("/api/v1/incidents/").json()["results"]) == 2
    assert len(api.get("/api/v1/incidents/", {"open": "true"}).json()["results"]) == 1


def test_saved_filter_keeps_working_with_the_generic_queue(agent_client, agent_user):
    response = agent_client.post(reverse("saved_filter_save"), {
        "kind": "incident", "name": "Resolved", "query": "state=resolved", "next": "/incidents/"})
    assert response.status_code == 302
    body = agent_client.get(reverse("incidents:list")).content.decode()
    assert 'href="/incidents/?state=resolved"' in body and 'name="kind" value="incident"' in body


def test_state_filter_keeps_its_choices_after_the_schema_is_generated(client, agent_client, agent_user):
    open_one = factories.incident(title="Still open")
    done = incident_in_state("resolved", actor=agent_user, title="Done")
    assert client.get("/api/schema/", HTTP_ACCEPT="application/json").status_code == 200
    rows = agent_client.get(reverse("incidents:list"), {"state": "resolved"}).context["page"].rows
    assert [r.number for r in rows] == [done.number] and open_one.number != done.number


def test_sla_flags_show_their_target_to_staff_and_nothing_to_the_requester(client, agent_user):
    from core.models import AuditAction, AuditEntry

    requester = factories.requester()
    incident = factories.incident(title="Printer jam", requester=requester)
    AuditEntry.objects.create(ticket=incident, action=AuditAction.SLA, changes={
        "sla_warning": {"timer": 1, "metric": "resolution", "target": "P3 resolution", "percent": 75}})
    client.force_login(agent_user)
    assert "P3 resolution · 75 %" in page(client, incident)
    client.force_login(requester)
    body = page(client, incident)
    assert "P3 resolution" not in body and "Service level</span>" not in body
