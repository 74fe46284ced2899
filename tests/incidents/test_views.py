"""The incident queue, page, forms and inline actions, through the views."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Comment, TicketLink
from incidents import services
from incidents.models import Incident
from tests.support import factories
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(agent_user):
    return factories.TeamFactory(name="Service Desk", members=[agent_user])


@pytest.fixture
def agent_client(client, agent_user):
    client.force_login(agent_user)
    return client


def act(client, incident, name, data=None, **extra):
    return client.post(reverse("incidents:action", args=[incident.pk, name]), data or {}, **extra)


def resolve_data(incident, **extra):
    return {"to": "resolved", "resolved-resolution_code": "solved_permanently",
            "resolved-resolution_notes": "Replaced the toner.", "resolved-version": incident.version, **extra}


# --- queue -------------------------------------------------------------------------------------

def test_queue_filters_by_state_priority_team_and_text(agent_client, team):
    hit = factories.incident(title="VPN down in Berlin", team=team, impact=1, urgency=1)
    factories.incident(title="VPN slow", impact=3, urgency=3)
    factories.incident(title="Printer jam", team=team, impact=1, urgency=1)
    response = agent_client.get(reverse("incidents:list"), {"q": "vpn", "team": team.pk, "priority": "1",
                                                            "state": "new"})
    numbers = [row.number for row in response.context["page"].rows]
    assert numbers == [hit.number]


def test_queue_search_by_number_and_assignee_me(agent_client, agent_user, team):
    mine = factories.incident(title="Mine", team=team, assignee=agent_user)
    factories.incident(title="Not mine")
    rows = agent_client.get(reverse("incidents:list"), {"assignee": "me"}).context["page"].rows
    assert [r.number for r in rows] == [mine.number]
    rows = agent_client.get(reverse("incidents:list"), {"q": mine.number.lower()}).context["page"].rows
    assert [r.number for r in rows] == [mine.number]


def test_queue_bad_filter_input_is_a_form_error_not_a_500(agent_client):
    factories.incident()
    response = agent_client.get(reverse("incidents:list"), {"created_after": "not a date", "priority": "9"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors


def test_queue_keyset_pages_forward_and_back(agent_client, monkeypatch):
    import core.ui

    monkeypatch.setattr(core.ui.keyset_page, "__defaults__", ("", "", 5))
    created = [factories.incident(title=f"Row {i}") for i in range(12)]
    newest_first = [i.number for i in reversed(created)]
    first = agent_client.get(reverse("incidents:list"))
    page = first.context["page"]
    assert [r.number for r in page.rows] == newest_first[:5] and not page.previous_cursor
    second = agent_client.get(reverse("incidents:list"), {"after": page.next_cursor})
    page2 = second.context["page"]
    assert [r.number for r in page2.rows] == newest_first[5:10]
    third = agent_client.get(reverse("incidents:list"), {"after": page2.next_cursor}).context["page"]
    assert [r.number for r in third.rows] == newest_first[10:] and not third.next_cursor
    back = agent_client.get(reverse("incidents:list"), {"before": third.previous_cursor}).context["page"]
    assert [r.number for r in back.rows] == newest_first[5:10]
    assert back.next_cursor and back.previous_cursor


def test_queue_keyset_by_priority_keeps_order_across_pages(agent_client, monkeypatch):
    import core.ui

    monkeypatch.setattr(core.ui.keyset_page, "__defaults__", ("", "", 4))
    for i in range(9):
        factories.incident(title=f"P{i}", impact=1 + i % 3, urgency=1 + i % 3)
    seen, cursor = [], ""
    while True:
        page = agent_client.get(reverse("incidents:list"), {"ordering": "priority", "after": cursor}).context["page"]
        seen += [(r.priority, -r.pk) for r in page.rows]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == 9 and seen == sorted(seen)


def test_queue_tampered_cursor_is_ignored(agent_client):
    factories.incident()
    assert agent_client.get(reverse("incidents:list"), {"after": "!!notbase64"}).status_code == 200


def test_queue_query_count_is_constant_and_counts_only_bounded(agent_client, team, agent_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(n):
        for i in range(n):
            factories.incident(title=f"I{i}", team=team, assignee=agent_user if i % 2 else None,
                               service=factories.ServiceFactory(name=f"S{i % 4}"))

    make(3)
    few = count_queries(lambda: agent_client.get(reverse("incidents:list")))
    make(27)
    with CaptureQueriesContext(connection) as ctx:
        agent_client.get(reverse("incidents:list"))
    assert len(ctx.captured_queries) == few
    counts = [q["sql"].lower() for q in ctx.captured_queries if "count(" in q["sql"].lower()]
    assert all("limit" in sql for sql in counts)  # the header total is core.counting's bounded count


def test_queue_is_for_agents(client, requester_user):
    client.force_login(requester_user)
    assert client.get(reverse("incidents:list")).status_code == 302


# --- create and edit -------------------------------------------------------------------------

def test_create_incident_through_the_form(agent_client, team, agent_user):
    response = agent_client.post(reverse("incidents:create"), {
        "title": "Mail server unreachable", "description": "Since 9:00", "impact": 1, "urgency": 2,
        "channel": "phone", "team": team.pk, "assignee": agent_user.pk})
    incident = Incident.objects.get(title="Mail server unreachable")
    assert response.status_code == 302 and response.url == reverse("incidents:detail", args=[incident.pk])
    assert (incident.priority, incident.team, incident.assignee, incident.created_by) == (2, team, agent_user,
                                                                                         agent_user)


def test_create_validation_errors_keep_the_input(agent_client, team):
    other = factories.agent(username="outsider")
    response = agent_client.post(reverse("incidents:create"), {
        "title": "", "description": "Typed text stays", "impact": 1, "urgency": 1, "channel": "phone",
        "team": team.pk, "assignee": other.pk, "parent": "INC9999999"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body
    assert "Typed text stays" in body
    assert "No incident has the number" in body
    assert not Incident.objects.exists()


def test_assignee_outside_the_team_is_a_form_error(agent_client, team):
    other = factories.agent(username="outsider")
    response = agent_client.post(reverse("incidents:create"), {
        "title": "X", "impact": 3, "urgency": 3, "channel": "phone", "team": team.pk, "assignee": other.pk})
    assert response.status_code == 400
    assert "must be a member of the assigned team" in response.content.decode()


def test_edit_saves_changes_with_version(agent_client, team):
    incident = factories.incident(title="Old title")
    url = reverse("incidents:edit", args=[incident.pk])
    form = agent_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "description"}
    data.update({"title": "New title", "version": incident.version, "team": team.pk})
    response = agent_client.post(url, data)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.title, incident.team) == ("New title", team)


def test_stale_edit_shows_conflict_and_keeps_input(agent_client, agent_user):
    incident = factories.incident(title="Original")
    stale_version = incident.version
    services.update_incident(incident, agent_user, {"title": "Changed by a colleague"})
    response = agent_client.post(reverse("incidents:edit", args=[incident.pk]), {
        "title": "My better title", "impact": 3, "urgency": 3, "channel": "portal", "version": stale_version})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this incident" in body
    assert "My better title" in body and "Changed by a colleague" in body
    incident.refresh_from_db()
    assert incident.title == "Changed by a colleague"
    assert response.context["form"]["version"].value() == incident.version


def test_requester_gets_403_on_edit_and_404_on_others(client, requester_user):
    own = factories.incident(requester=requester_user)
    other = factories.incident(requester=factories.requester(username="req2"))
    client.force_login(requester_user)
    assert client.get(reverse("incidents:edit", args=[own.pk])).status_code == 403
    assert client.get(reverse("incidents:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("incidents:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("incidents:edit", args=[other.pk])).status_code == 404
    assert act(client, other, "comment", {"body": "hi"}).status_code == 404
    assert client.get(reverse("incidents:create")).status_code == 403


def test_portal_report_a_problem(client, requester_user):
    client.force_login(requester_user)
    response = client.post(reverse("incidents:report"), {"title": "Cannot print", "description": "Error 42"})
    incident = Incident.objects.get(title="Cannot print")
    assert response.status_code == 302
    assert (incident.requester, incident.channel) == (requester_user, "portal")
    response = client.post(reverse("incidents:report"), {"title": "", "description": "kept"})
    assert response.status_code == 400 and "kept" in response.content.decode()


# --- detail and timeline ---------------------------------------------------------------------

def test_timeline_shows_work_notes_to_agents_only(client, agent_user, requester_user, team):
    incident = factories.incident(requester=requester_user, team=team, actor=agent_user)
    services.update_incident(incident, agent_user, {"assignee": agent_user})
    from core import services as core_services

    core_services.add_comment(incident, agent_user, "We are on it", internal=False)
    core_services.add_comment(incident, agent_user, "Secret vendor ticket 123", internal=True)
    client.force_login(agent_user)
    body = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "We are on it" in body and "Secret vendor ticket 123" in body and "tl-work_note" in body
    assert "Service Desk" in body  # team id resolved to its name in the audit entry
    client.force_login(requester_user)
    body = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "We are on it" in body
    assert "Secret vendor ticket 123" not in body and "tl-work_note" not in body
    assert 'name="internal"' not in body


def test_internal_attachments_are_hidden_from_requesters(client, agent_user, requester_user):
    from core import services as core_services

    incident = factories.incident(requester=requester_user)
    core_services.add_attachment(incident, agent_user, SimpleUploadedFile("vendor-notes.txt", b"x", "text/plain"),
                                 internal=True)
    core_services.add_attachment(incident, agent_user, SimpleUploadedFile("howto.txt", b"y", "text/plain"))
    client.force_login(requester_user)
    body = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "howto.txt" in body and "vendor-notes.txt" not in body
    internal = incident.attachments.get(is_internal=True)
    assert client.get(reverse("attachment_download", args=[internal.pk])).status_code == 404


def test_timeline_shows_audit_display_values(agent_client, agent_user, team):
    incident = factories.incident(actor=agent_user)
    services.update_incident(incident, agent_user, {"team": team, "impact": 1})
    timeline = agent_client.get(reverse("incidents:detail", args=[incident.pk])).context["timeline"]
    changes = {c.label: (c.old, c.new) for item in timeline for c in item.changes}
    assert changes["Team"] == ("", "Service Desk")
    assert str(changes["Impact"][1]) == "1 - High"


def test_registered_panels_are_rendered(agent_client, monkeypatch):
    from core import hooks

    monkeypatch.setattr(hooks, "ticket_panels", [(1, "components/messages.html", lambda t, r: {
        "messages": [f"panel for {t.number}"]})])
    incident = factories.incident()
    assert f"panel for {incident.number}" in agent_client.get(
        reverse("incidents:detail", args=[incident.pk])).content.decode()


# --- inline actions ------------------------------------------------------------------------------

def test_assign_to_me(agent_client, agent_user, team):
    incident = factories.incident(team=team)
    response = act(agent_client, incident, "assign-me")
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.assignee == agent_user


def test_htmx_action_returns_the_ticket_fragment(agent_client, agent_user, team):
    incident = factories.incident(team=team)
    response = act(agent_client, incident, "assign-me", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="ticket"')
    assert "<html" not in body


def test_reassign_team_then_agent(agent_client, team):
    colleague = factories.agent(username="colleague")
    network = factories.TeamFactory(name="Network", members=[colleague])
    incident = factories.incident(team=team)
    response = act(agent_client, incident, "reassign", {"team": network.pk, "assignee": colleague.pk,
                                                        "version": incident.version})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.team, incident.assignee) == (network, colleague)


def test_reassign_to_agent_outside_team_is_an_error(agent_client, team):
    outsider = factories.agent(username="outsider")
    incident = factories.incident(team=team)
    response = act(agent_client, incident, "reassign", {"team": team.pk, "assignee": outsider.pk})
    assert response.status_code == 400


def test_resolve_needs_resolution_fields(agent_client):
    incident = factories.incident()
    response = act(agent_client, incident, "transition", {"to": "resolved", "resolved-resolution_notes": "x"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    incident.refresh_from_db()
    assert incident.state == "new"


def test_on_hold_needs_a_reason_and_resolve_works(agent_client):
    incident = factories.incident()
    assert act(agent_client, incident, "transition", {"to": "on_hold"}).status_code == 400
    assert act(agent_client, incident, "transition", {"to": "on_hold",
                                                      "on_hold-on_hold_reason": "awaiting_vendor"}).status_code == 302
    incident.refresh_from_db()
    assert (incident.state, incident.on_hold_reason) == ("on_hold", "awaiting_vendor")
    assert act(agent_client, incident, "transition", resolve_data(incident)).status_code == 302
    incident.refresh_from_db()
    assert incident.state == "resolved" and incident.resolution_code == "solved_permanently"


def test_illegal_transition_is_refused_clearly(agent_client, agent_user):
    incident = factories.incident()
    response = act(agent_client, incident, "transition", {"to": "closed"})
    assert response.status_code == 400
    assert "cannot move to that state" in response.content.decode()


def test_resolving_a_major_parent_can_resolve_children(agent_client, agent_user):
    parent = factories.incident(title="Datacenter power", is_major=True, major_incident_manager=agent_user)
    kids = [factories.incident(title=f"Child {i}", parent=parent) for i in range(2)]
    page = agent_client.get(reverse("incidents:detail", args=[parent.pk])).content.decode()
    assert "Also resolve 2 open child incidents" in page and kids[0].number in page
    response = act(agent_client, parent, "transition", resolve_data(parent, **{"resolved-resolve_children": "on"}))
    assert response.status_code == 302
    assert set(Incident.objects.values_list("state", flat=True)) == {"resolved"}


def test_comment_and_work_note(agent_client, agent_user):
    incident = factories.incident()
    act(agent_client, incident, "comment", {"body": "Public reply"})
    act(agent_client, incident, "comment", {"body": "Internal note", "internal": "on"})
    assert list(Comment.objects.values_list("body", "is_internal")) == [("Public reply", False),
                                                                        ("Internal note", True)]
    response = act(agent_client, incident, "comment", {"body": "   "})
    assert response.status_code == 400


def test_requester_comments_publicly_and_reopens_own_resolved(client, requester_user, agent_user):
    incident = factories.incident(requester=requester_user)
    from core import services as core_services

    services.transition_incident(incident, agent_user, "resolved", {"resolution_code": "solved_workaround",
                                                                    "resolution_notes": "Restarted"})
    client.force_login(requester_user)
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "Reopen" in page and "Close" in page
    act(client, incident, "comment", {"body": "Still broken", "internal": "on"})
    assert Comment.objects.get().is_internal is False
    assert act(client, incident, "transition", {"to": "in_progress"}).status_code == 302
    incident.refresh_from_db()
    assert incident.state == "in_progress" and incident.reopen_count == 1
    assert act(client, incident, "assign-me").status_code == 403
    assert act(client, incident, "link", {"number": incident.number, "kind": "related"}).status_code == 403
    assert core_services.allowed_transitions(incident, requester_user) == []


def test_attach_file_and_validation_error(agent_client, settings):
    incident = factories.incident()
    ok = SimpleUploadedFile("log.txt", b"hello", content_type="text/plain")
    assert act(agent_client, incident, "attach", {"file": ok}).status_code == 302
    attachment = incident.attachments.get()
    download = agent_client.get(reverse("attachment_download", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"hello"
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/x-msdownload")
    response = act(agent_client, incident, "attach", {"file": bad})
    assert response.status_code == 400
    assert "are not accepted" in response.content.decode()


def test_link_records_by_number(agent_client):
    incident = factories.incident()
    other = factories.incident(title="Same outage")
    response = act(agent_client, incident, "link", {"number": other.number.lower(), "kind": "duplicate_of"})
    assert response.status_code == 302
    assert TicketLink.objects.filter(source=incident, target=other, kind="duplicate_of").exists()
    assert other.number in agent_client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    response = act(agent_client, incident, "link", {"number": "INC0000000", "kind": "related"})
    assert response.status_code == 400 and "No record has the number" in response.content.decode()


def test_timeline_skips_updates_with_nothing_to_show(agent_client, agent_user, team):
    incident = factories.incident(team=team, actor=agent_user)
    services.update_incident(incident, agent_user, {"assignee": agent_user})
    timeline = agent_client.get(reverse("incidents:detail", args=[incident.pk])).context["timeline"]
    assert [item.action for item in timeline] == ["created", "assigned"]


def test_detail_query_count_does_not_grow_with_the_timeline(agent_client, agent_user, team):
    from core import services as core_services

    incident = factories.incident(team=team, actor=agent_user)
    colleagues = [factories.agent(username=f"c{i}") for i in range(6)]
    team.members.add(*colleagues)
    url = reverse("incidents:detail", args=[incident.pk])

    def grow(n):
        for i in range(n):
            who = colleagues[i % len(colleagues)]
            services.update_incident(incident, who, {"assignee": who})
            core_services.add_comment(incident, who, f"note {i}", internal=i % 2 == 0)

    grow(2)
    few = count_queries(lambda: agent_client.get(url))
    grow(10)
    assert count_queries(lambda: agent_client.get(url)) == few


def test_declare_and_stand_down_a_major_incident(agent_client, agent_user, requester_user):
    incident = factories.incident(requester=requester_user)
    assert act(agent_client, incident, "major").status_code == 302
    incident.refresh_from_db()
    assert incident.is_major and incident.major_incident_manager == agent_user
    act(agent_client, incident, "major")
    incident.refresh_from_db()
    assert not incident.is_major
    agent_client.force_login(requester_user)
    assert act(agent_client, incident, "major").status_code == 403
