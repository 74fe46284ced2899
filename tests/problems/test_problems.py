"""Problem records through the API and the pages: linked incidents, known errors, analysis, investigation
tasks, "open problem" from an incident, and what a requester never sees."""

import pytest
from django.urls import reverse

from core import services as core_services
from core.models import AuditEntry, LinkKind
from problems import services
from problems.models import InvestigationTask
from tests.support import factories

pytestmark = pytest.mark.django_db
API = "/api/v1/problems/"


def test_api_links_and_unlinks_incidents_with_audit(api_as):
    agent = factories.agent()
    first, second = factories.incident(actor=agent), factories.incident(actor=agent, title="Mail bounces")
    api = api_as(agent)
    created = api.post(API, {"title": "Mail relay saturates", "incidents": [first.pk, second.pk]}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"].startswith("PRB") and body["incidents"] == sorted([first.pk, second.pk])
    assert AuditEntry.objects.filter(ticket=first, action="linked").exists()
    changed = api.patch(f"{API}{body['id']}/", {"incidents": [second.pk]}, format="json")
    assert changed.status_code == 200 and changed.json()["incidents"] == [second.pk]
    assert AuditEntry.objects.filter(ticket=first, action="unlinked").exists()
    listed = api.get(API, {"incident": second.pk}).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]] and listed[0]["incidents"] == [second.pk]


def test_known_error_needs_a_root_cause_or_workaround(api_as):
    api = api_as(factories.agent())
    refused = api.post(API, {"title": "Printers lose IP", "known_error": True}, format="json")
    assert refused.status_code == 400 and "known_error" in refused.json()
    created = api.post(API, {"title": "Printers lose IP", "known_error": True,
                             "workaround": "Power-cycle the printer"}, format="json").json()
    assert created["known_error"] is True and created["known_error_at"]
    cleared = api.patch(f"{API}{created['id']}/", {"known_error": False}, format="json").json()
    assert cleared["known_error"] is False and cleared["known_error_at"] is None
    assert api.get(API, {"known_error": "true"}).json()["results"] == []


def test_requester_never_sees_a_problem_linked_to_their_incident(client, api_as):
    me = factories.requester(organization=factories.OrganizationFactory())
    agent = factories.agent()
    mine = factories.incident(actor=agent, requester=me)
    problem = factories.problem(actor=agent, title="Secret root cause in the core switch", incidents=[mine],
                                organization=me.profile.organization, requester=me)
    client.force_login(me)
    page = client.get(reverse("incidents:detail", args=[mine.pk])).content.decode()
    assert problem.number not in page and problem.title not in page
    api = api_as(me)
    assert api.get(f"{API}{problem.pk}/").status_code == 404
    links = api.get(f"/api/v1/incidents/{mine.pk}/links/").content.decode()
    assert problem.number not in links
    assert problem.number not in api.get("/api/v1/search/", {"q": problem.number}).content.decode()


def test_open_problem_from_a_major_incident_prefills_and_links(client):
    agent = factories.agent()
    major = factories.incident(actor=agent, title="Core switch down", is_major=True, impact=1, urgency=1)
    client.force_login(agent)
    page = client.get(reverse("incidents:detail", args=[major.pk])).content.decode()
    assert f"?from_incident={major.pk}" in page
    form = client.get(reverse("problems:create") + f"?from_incident={major.pk}")
    assert form.context["form"].initial["origin"] == "major_incident"
    assert form.context["form"].initial["incident_numbers"] == major.number
    response = client.post(reverse("problems:create") + f"?from_incident={major.pk}", {
        "title": "Core switch firmware crashes", "origin": "major_incident", "impact": 1, "urgency": 1,
        "incident_numbers": major.number})
    assert response.status_code == 302
    link = major.links_out.get(kind=LinkKind.CAUSED_BY)
    assert link.target.kind == "problem" and link.target.title == "Core switch firmware crashes"


def test_unknown_incident_numbers_are_a_form_error(client):
    client.force_login(factories.agent())
    response = client.post(reverse("problems:create"), {"title": "x", "origin": "supplier", "impact": 3,
                                                         "urgency": 3, "incident_numbers": "INC9999999"})
    assert response.status_code == 400 and "INC9999999" in response.content.decode()


def action(client, problem, name, data):
    return client.post(reverse("problems:action", args=[problem.pk, name]), data)


def test_analysis_is_saved_audited_and_refuses_a_stale_version(client):
    agent = factories.agent()
    problem = factories.problem(actor=agent)
    client.force_login(agent)
    data = {"technique": "ishikawa", "fishbone_technology": "DHCP lease of 1 hour", "root_cause": "Short lease",
            "workaround": "Renew the lease by hand", "known_error": "on", "version": problem.version}
    assert action(client, problem, "analysis", data).status_code == 302
    problem.refresh_from_db()
    assert problem.known_error and problem.known_error_at and problem.fishbone_technology == "DHCP lease of 1 hour"
    entry = AuditEntry.objects.filter(ticket=problem, action="updated").latest("id")
    assert set(entry.changes) >= {"technique", "root_cause", "workaround", "known_error"}
    stale = action(client, problem, "analysis", {**data, "root_cause": "Other", "version": problem.version - 1})
    assert stale.status_code == 400 and "Someone else changed" in stale.content.decode()
    refused = action(client, problem, "analysis", {"version": problem.version, "known_error": "on"})
    assert refused.status_code == 400 and "known error needs" in refused.content.decode()


def test_a_stale_analysis_keeps_the_input_at_the_current_version(client):
    agent = factories.agent()
    problem = factories.problem(actor=agent)
    client.force_login(agent)
    stale = problem.version
    action(client, problem, "analysis", {"root_cause": "Theirs", "version": stale})
    problem.refresh_from_db()
    response = action(client, problem, "analysis", {"root_cause": "My own words", "version": stale})
    html = response.content.decode()
    assert response.status_code == 400 and "Someone else changed this problem meanwhile" in html
    assert "My own words" in html and f'name="version" value="{stale}"' not in html  # the form carries the current one
    assert action(client, problem, "analysis", {"root_cause": "My own words", "version": problem.version}
                  ).status_code == 302
    problem.refresh_from_db()
    assert problem.root_cause == "My own words"


def test_investigation_tasks_are_assigned_to_teams_and_audited(client):
    agent, outsider = factories.agent(), factories.agent()
    team = factories.TeamFactory(name="Network", members=[agent])
    problem = factories.problem(actor=agent)
    client.force_login(agent)
    refused = action(client, problem, "add-task", {"title": "Check DHCP", "team": team.pk, "assignee": outsider.pk})
    assert refused.status_code == 400 and "member" in refused.content.decode()
    assert action(client, problem, "add-task", {"title": "Check DHCP", "team": team.pk,
                                                "assignee": agent.pk}).status_code == 302
    task = InvestigationTask.objects.get(problem=problem)
    assert action(client, problem, "complete-task", {"task": task.pk, "findings": "Lease is 1 h"}).status_code == 302
    task.refresh_from_db()
    assert task.state == "done" and task.findings == "Lease is 1 h"
    again = action(client, problem, "complete-task", {"task": task.pk})
    assert again.status_code == 400
    changes = [e.changes for e in AuditEntry.objects.filter(ticket=problem, action="updated")]
    assert any("investigation_task" in c for c in changes) and any("investigation_task_done" in c for c in changes)
    page = client.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert "Check DHCP" in page and "Lease is 1 h" in page


def test_link_and_unlink_incidents_on_the_page(client):
    agent = factories.agent()
    problem, incident = factories.problem(actor=agent), factories.incident(actor=agent)
    client.force_login(agent)
    assert action(client, problem, "link-incidents", {"number": incident.number.lower()}).status_code == 302
    assert list(services.linked_incidents(problem)) == [incident]
    assert action(client, problem, "link-incidents", {"number": "INC0"}).status_code == 400
    assert action(client, problem, "unlink-incident", {"incident": incident.pk}).status_code == 302
    assert not services.linked_incidents(problem).exists()
    assert action(client, problem, "unlink-incident", {"incident": "x"}).status_code == 400


def test_resolving_needs_a_resolution_and_closing_verifies_the_fix(api_as):
    api = api_as(factories.agent())
    problem = factories.problem()
    core_services.transition_ticket(problem, None, "investigating")
    refused = api.post(f"{API}{problem.pk}/transition/", {"to": "resolved"}, format="json")
    assert refused.status_code == 400 and {"resolution_code", "resolution_notes"} <= refused.json().keys()
    ok = api.post(f"{API}{problem.pk}/transition/", {"to": "resolved", "resolution_code": "fix_applied",
                                                     "resolution_notes": "Lease raised to 8 days"}, format="json")
    assert ok.status_code == 200 and ok.json()["resolved_at"]
    closed = api.post(f"{API}{problem.pk}/transition/", {"to": "closed"}, format="json").json()
    assert closed["state"] == "closed" and closed["resolution_notes"] == "Lease raised to 8 days"


def test_page_actions_communicate_resolve_and_publish(client):
    agent = factories.agent()
    open_one, other = factories.incident(actor=agent), factories.incident(actor=agent, title="Mail bounces")
    problem = factories.problem(actor=agent, incidents=[open_one, other], known_error=True,
                                workaround="Restart the relay", root_cause="Queue fills up")
    client.force_login(agent)
    page = client.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert 'id="communicate-workaround"' in page and 'id="resolve-incidents"' not in page
    assert action(client, problem, "communicate-workaround", {}).status_code == 302
    assert open_one.comments.filter(is_internal=False, body__contains="Restart the relay").exists()
    assert action(client, problem, "publish-article", {}).status_code == 302
    article = problem.articles.get()
    assert article.state == "published" and "Queue fills up" in article.body
    core_services.transition_ticket(problem, None, "investigating")
    core_services.transition_ticket(problem, None, "resolved", {"resolution_code": "fix_applied",
                                                                 "resolution_notes": "Relay queue enlarged"})
    page = client.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert 'id="resolve-incidents"' in page and article.number in page
    assert action(client, problem, "resolve-incidents", {}).status_code == 302
    open_one.refresh_from_db()
    assert open_one.state == "resolved" and open_one.resolution_notes == "Relay queue enlarged"


def test_other_affected_services_and_cis_through_api_and_form(api_as, client):
    from tests.support.cmdb_factories import CIFactory

    agent = factories.agent()
    services_, cis = [factories.ServiceFactory(), factories.ServiceFactory()], [CIFactory(), CIFactory()]
    api = api_as(agent)
    body = api.post(API, {"title": "Storage latency", "affected_services": [s.pk for s in services_],
                          "affected_cis": [cis[0].pk]}, format="json").json()
    assert sorted(body["affected_services"]) == sorted(s.pk for s in services_) and body["affected_cis"] == [cis[0].pk]
    patched = api.patch(f"{API}{body['id']}/", {"affected_cis": [cis[1].pk], "version": body["version"]},
                        format="json")
    assert patched.status_code == 200 and patched.json()["affected_cis"] == [cis[1].pk]
    assert patched.json()["version"] > body["version"]
    entry = AuditEntry.objects.filter(ticket_id=body["id"], changes__has_key="affected_cis").latest("id")
    assert entry.changes["affected_cis"] == [[cis[0].pk], [cis[1].pk]]
    assert api.post(API, {"title": "x", "affected_cis": [999999]}, format="json").status_code == 400
    client.force_login(agent)
    edit = reverse("problems:edit", args=[body["id"]])
    form = client.get(edit)
    assert form.context["form"].initial["affected_cis"] == cis[1].name
    refused = client.post(edit, {"title": "Storage latency", "origin": "supplier", "impact": 3, "urgency": 3,
                                 "affected_cis": "no-such-ci", "version": patched.json()["version"]})
    assert refused.status_code == 400 and "no-such-ci" in refused.content.decode()
    page = client.get(reverse("problems:detail", args=[body["id"]])).content.decode()
    assert cis[1].name in page and services_[0].name in page


def test_page_shows_tasks_without_an_assignee(client):
    agent = factories.agent()
    problem = factories.problem(actor=agent)
    services.add_task(problem, agent, {"title": "Ask the vendor", "team": factories.TeamFactory()})
    client.force_login(agent)
    response = client.get(reverse("problems:detail", args=[problem.pk]))
    assert response.status_code == 200 and "Ask the vendor" in response.content.decode()
