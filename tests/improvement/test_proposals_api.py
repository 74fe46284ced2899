"""The proposals API and pages, and the "turn into an improvement" buttons: who may read and decide (requester,
agent, manager), constant query counts, and bad input as 400 with field messages."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.converters import MAX_ID
from improvement import feeds
from improvement.models import Improvement, Proposal
from slm import reviews
from tests.support import factories, report_factories
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db
LIST = "/api/v1/improvement-proposals/"
PAGE = "/improvements/proposals/"


@pytest.fixture
def service():
    return factories.ServiceFactory(name="E-mail")


def proposal(service, source="breach_trend", state="pending", count=5, **extra):
    """A proposal as the feeds write it, its evidence naming a real incident."""
    incident = factories.incident(service=service, title="Mail bounces")
    today = timezone.localdate()
    if source == "breach_trend":
        evidence = {"total": count, "breaches": [
            {"ticket": incident.pk, "number": incident.number, "title": incident.title, "kind": "incident",
             "metric": "resolution", "target": "Gold resolution", "breached_at": timezone.now().isoformat()}]}
    else:
        evidence = {"total": count, "complaints": 0, "low_ratings": count, "items": [
            {"type": "survey", "ticket": incident.pk, "number": incident.number, "title": incident.title,
             "kind": "incident", "rating": 1, "comment": "Slow", "at": timezone.now().isoformat()}]}
    return Proposal.objects.create(source=source, service=service, title=f"Repeated trouble on {service.name}",
                                   summary="Five breaches", period_start=today - datetime.timedelta(days=29),
                                   period_end=today, count=count, evidence=evidence, state=state, **extra)


def web(user):
    client = Client()
    client.force_login(user)
    return client


# --- the API -----------------------------------------------------------------------------------------------------

def test_requesters_see_nothing(api_as, service):
    pending = proposal(service)
    client = api_as(factories.requester())
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{pending.pk}/").status_code == 403
    assert client.post(f"{LIST}{pending.pk}/accept/").status_code == 403
    assert client.post(f"{LIST}{pending.pk}/dismiss/", {"reason": "x"}, format="json").status_code == 403
    assert client.post(f"{LIST}from-problem/", {"problem": 1}, format="json").status_code == 403
    assert client.post(f"{LIST}from-review-action/", {"action": 1}, format="json").status_code == 403
    from rest_framework.test import APIClient
    assert APIClient().get(LIST).status_code in (401, 403)
    assert Proposal.objects.get().state == "pending"


def test_staff_list_and_filter(api_as, service):
    other = factories.ServiceFactory(name="Printing")
    pending, dismissed = proposal(service), proposal(service, state="dismissed", dismiss_reason="Known")
    feedback = proposal(other, source="feedback")
    client = api_as(factories.agent())
    rows = client.get(LIST).json()["results"]
    assert [row["id"] for row in rows] == [feedback.pk, dismissed.pk, pending.pk]
    row = rows[-1]
    assert row["service_name"] == "E-mail" and row["state"] == "pending" and row["count"] == 5
    assert row["evidence"]["breaches"][0]["number"].startswith("INC") and row["improvement"] is None
    assert [r["id"] for r in client.get(LIST, {"state": "pending"}).json()["results"]] == [feedback.pk, pending.pk]
    assert [r["id"] for r in client.get(LIST, {"source": "feedback"}).json()["results"]] == [feedback.pk]
    assert [r["id"] for r in client.get(LIST, {"service": service.pk}).json()["results"]] == [dismissed.pk,
                                                                                            pending.pk]
    page = client.get(LIST, {"page_size": 2}).json()
    assert len(page["results"]) == 2 and [r["id"] for r in client.get(page["next"]).json()["results"]] == [pending.pk]
    assert client.get(f"{LIST}{pending.pk}/").json()["title"] == pending.title


@pytest.mark.parametrize("params, field", [({"state": "nope"}, "state"), ({"source": "audit"}, "source"),
                                           ({"service": "abc"}, "service"), ({"service": str(MAX_ID + 1)}, "service"),
                                           ({"cursor": "garbage"}, "cursor"), ({"page_size": "x"}, "page_size")])
def test_bad_filters_are_400(api_as, service, params, field):
    proposal(service)
    response = api_as(factories.agent()).get(LIST, params)
    assert response.status_code == 400 and field in response.json()


def test_unknown_ids_are_404(api_as):
    client = api_as(factories.manager())
    assert client.get(f"{LIST}999999/").status_code == 404
    assert client.get(f"{LIST}99999999999999999999999/").status_code == 404
    assert client.post(f"{LIST}999999/accept/").status_code == 404


def test_list_query_count_is_constant(api_as, service):
    manager = factories.manager()
    client = api_as(factories.agent())
    proposal(service)
    feeds.accept(proposal(service), manager)
    client.get(LIST)  # the token's first use is written once
    few = count_queries(lambda: client.get(LIST))
    assert few <= 4
    for index in range(6):
        feeds.accept(proposal(factories.ServiceFactory(name=f"S{index}")), manager)
        proposal(service, state="dismissed", decided_by=manager)
    assert len(client.get(LIST).json()["results"]) == 14
    assert count_queries(lambda: client.get(LIST)) == few


def test_only_managers_accept_and_dismiss(api_as, service):
    pending = proposal(service)
    agent = api_as(factories.agent())
    assert agent.post(f"{LIST}{pending.pk}/accept/").status_code == 403
    assert agent.post(f"{LIST}{pending.pk}/dismiss/", {"reason": "No"}, format="json").status_code == 403
    manager = api_as(factories.manager())
    response = manager.post(f"{LIST}{pending.pk}/accept/")
    assert response.status_code == 201, response.json()
    improvement = Improvement.objects.get()
    assert response.json() == {"id": improvement.pk, "number": improvement.number, "title": improvement.title,
                               "url": reverse("improvement:detail", args=[improvement.pk])}
    row = manager.get(f"{LIST}{pending.pk}/").json()
    assert (row["state"], row["improvement"], row["improvement_number"]) == ("accepted", improvement.pk,
                                                                           improvement.number)
    again = manager.post(f"{LIST}{pending.pk}/accept/")
    assert again.status_code == 400 and "state" in again.json()
    assert manager.post(f"{LIST}{pending.pk}/dismiss/", {"reason": "x"}, format="json").status_code == 400


def test_dismiss_needs_a_reason(api_as, service):
    pending = proposal(service)
    manager_user = factories.manager()
    manager = api_as(manager_user)
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": ["a"]}):
        response = manager.post(f"{LIST}{pending.pk}/dismiss/", body, format="json")
        assert response.status_code == 400 and "reason" in response.json(), body
    response = manager.post(f"{LIST}{pending.pk}/dismiss/", {"reason": "Already planned"}, format="json")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["dismiss_reason"]) == ("dismissed", "Already planned")
    assert response.json()["decided_by"] == manager_user.pk


def review_action(service, owner=None):
    review = reviews.create_review(factories.manager(), {"service": service, "date": datetime.date(2026, 11, 5),
                                                         "findings": "Slow mail"},
                                   [{"description": "Add a mail relay", "owner": owner}])
    return review.actions.get()


def test_conversions(api_as, service):
    agent = api_as(factories.agent())
    problem = factories.problem(service=service, root_cause="Full disk")
    response = agent.post(f"{LIST}from-problem/", {"problem": problem.pk}, format="json")
    assert response.status_code == 201, response.json()
    improvement = Improvement.objects.get(pk=response.json()["id"])
    assert improvement.source_ticket_id == problem.pk and response.json()["number"] == improvement.number
    again = agent.post(f"{LIST}from-problem/", {"problem": problem.pk}, format="json")
    assert again.status_code == 400 and improvement.number in str(again.json()["problem"])
    action = review_action(service)
    response = agent.post(f"{LIST}from-review-action/", {"action": action.pk}, format="json")
    assert response.status_code == 201
    assert Improvement.objects.get(pk=response.json()["id"]).source_review_action == action
    again = agent.post(f"{LIST}from-review-action/", {"action": action.pk}, format="json")
    assert again.status_code == 400 and response.json()["number"] in str(again.json()["action"])


@pytest.mark.parametrize("value", [None, "", "abc", 0, -1, True, 999999, MAX_ID + 1, [1], {"id": 1}])
def test_conversions_with_bad_ids_are_400(api_as, service, value):
    agent = api_as(factories.agent())
    incident = factories.incident(service=service)  # a ticket that is not a problem
    for url, field in (("from-problem/", "problem"), ("from-review-action/", "action")):
        body = {field: incident.pk if value == 999999 and field == "problem" else value}
        response = agent.post(f"{LIST}{url}", body, format="json")
        assert response.status_code == 400 and field in response.json(), (url, value, response.content)
        assert agent.post(f"{LIST}{url}", {}, format="json").status_code == 400
    assert not Improvement.objects.exists()


# --- the pages -----------------------------------------------------------------------------------------------

def test_review_page_shows_the_evidence_and_who_may_decide(service):
    pending = proposal(service)
    proposal(service, state="dismissed", dismiss_reason="Known")
    number = pending.evidence["breaches"][0]["number"]
    assert web(factories.requester()).get(PAGE).status_code == 403
    agent_page = web(factories.agent()).get(PAGE)
    assert agent_page.status_code == 200
    html = agent_page.content.decode()
    incident_url = reverse("incidents:detail", args=[pending.evidence["breaches"][0]["ticket"]])
    assert f'href="{incident_url}">{number}</a>' in html and "Gold resolution" in html
    assert f"proposal-{pending.pk}" in html and "Known" not in html  # pending only by default
    assert reverse("improvement_proposals:accept", args=[pending.pk]) not in html  # agents read only
    manager_page = web(factories.manager()).get(PAGE).content.decode()
    assert reverse("improvement_proposals:accept", args=[pending.pk]) in manager_page
    assert reverse("improvement_proposals:dismiss", args=[pending.pk]) in manager_page
    everything = web(factories.agent()).get(PAGE, {"state": ""}).content.decode()
    assert "Known" in everything
    assert web(factories.agent()).get(PAGE, {"state": "bogus", "service": "x"}).status_code == 200


def test_page_query_count_is_constant(service):
    client = web(factories.agent())
    proposal(service)
    client.get(PAGE)
    few = count_queries(lambda: client.get(PAGE))
    for index in range(8):
        proposal(factories.ServiceFactory(name=f"S{index}"), source="feedback" if index % 2 else "breach_trend")
    assert client.get(PAGE).content.decode().count('class="proposal"') == 9
    assert count_queries(lambda: client.get(PAGE)) == few


def test_accept_and_dismiss_on_the_page(service):
    first, second = proposal(service), proposal(factories.ServiceFactory(name="Printing"))
    agent = web(factories.agent())
    assert agent.post(reverse("improvement_proposals:accept", args=[first.pk])).status_code == 403
    assert agent.post(reverse("improvement_proposals:dismiss", args=[first.pk]), {
        f"p{first.pk}-reason": "No"}).status_code == 403
    assert agent.post(reverse("improvement_proposals:run")).status_code == 403
    manager = web(factories.manager())
    assert manager.get(reverse("improvement_proposals:accept", args=[first.pk])).status_code == 405
    response = manager.post(reverse("improvement_proposals:accept", args=[first.pk]))
    improvement = Improvement.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("improvement:detail", args=[improvement.pk])
    empty = manager.post(reverse("improvement_proposals:dismiss", args=[second.pk]), {f"p{second.pk}-reason": ""})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    done = manager.post(reverse("improvement_proposals:dismiss", args=[second.pk]),
                        {f"p{second.pk}-reason": "Printers are being replaced"})
    assert done.status_code == 302
    second.refresh_from_db()
    assert (second.state, second.dismiss_reason) == ("dismissed", "Printers are being replaced")
    twice = manager.post(reverse("improvement_proposals:accept", args=[second.pk]), follow=True)
    assert "already decided" in twice.content.decode()


def test_run_now_on_the_page(service):
    target = report_factories.target(report_factories.agreement([service]))
    for index in range(5):
        report_factories.timer(factories.incident(service=service), target,
                               breached_at=timezone.now() - datetime.timedelta(hours=index + 1))
    response = web(factories.manager()).post(reverse("improvement_proposals:run"), follow=True)
    assert response.status_code == 200 and Proposal.objects.filter(source="breach_trend").count() == 1


def test_problem_page_button_then_link(service):
    agent_user = factories.agent()
    problem = factories.problem(agent_user, service=service)
    client = web(agent_user)
    url = reverse("improvement_proposals:from-problem", args=[problem.pk])
    page = client.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert url in page and "Turn into an improvement" in page
    incident = factories.incident(agent_user)
    assert url not in client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert web(factories.requester()).post(url).status_code == 403
    assert client.get(url).status_code == 405
    response = client.post(url)
    improvement = Improvement.objects.get()
    assert response["Location"] == reverse("improvement:detail", args=[improvement.pk])
    page = client.get(reverse("problems:detail", args=[problem.pk])).content.decode()
    assert url not in page and reverse("improvement:detail", args=[improvement.pk]) in page
    again = client.post(url, follow=True)
    assert improvement.number in again.content.decode() and Improvement.objects.count() == 1
    assert client.post(reverse("improvement_proposals:from-problem", args=[incident.pk])).status_code == 404


def test_review_page_buttons_then_links(service):
    agent_user = factories.agent()
    first = review_action(service)
    second = first.review.actions.create(description="Train the desk")
    client = web(agent_user)
    review_url = reverse("slm:review-detail", args=[first.review_id])
    page = client.get(review_url).content.decode()
    first_url = reverse("improvement_proposals:from-review-action", args=[first.pk])
    second_url = reverse("improvement_proposals:from-review-action", args=[second.pk])
    assert first_url in page and second_url in page
    assert web(factories.requester()).post(first_url).status_code == 403
    response = client.post(first_url)
    improvement = Improvement.objects.get()
    assert response["Location"] == reverse("improvement:detail", args=[improvement.pk])
    page = client.get(review_url).content.decode()
    assert first_url not in page and second_url in page
    assert f'href="{reverse("improvement:detail", args=[improvement.pk])}"' in page
    again = client.post(first_url)
    assert again["Location"] == review_url and Improvement.objects.count() == 1
    assert client.post(reverse("improvement_proposals:from-review-action", args=[999999])).status_code == 404
