"""The problem-candidates API and page: who may use them, accept/dismiss/run, constant query counts."""

import pytest
from django.urls import reverse

from core import permissions
from problems import candidate_services
from problems.models import Candidate, Problem
from tests.support import factories
from tests.support.queries import count_queries
from tests.support.trend_data import history

pytestmark = pytest.mark.django_db
LIST = "/api/v1/problem-candidates/"


@pytest.fixture
def proposed():
    data = history()
    candidate_services.run_analysis()
    return data


def integration_user():
    return factories.UserFactory(role=permissions.INTEGRATION, username="monitor")


def test_list_shows_proposed_with_evidence(api_as, proposed):
    response = api_as(proposed.agent).get(LIST)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 3 and rows[0]["score"] >= rows[-1]["score"]
    mail = next(r for r in rows if set(r["incidents"]) == set(proposed.clusters["mail"]))
    assert mail["incident_count"] == 6 and mail["status"] == "proposed"
    assert mail["dimension"] == "configuration_item"
    assert mail["configuration_item"] == proposed.cis[0].pk
    assert mail["configuration_item_name"] == proposed.cis[0].name
    assert mail["service_name"] == proposed.services[0].name and mail["category_name"] == proposed.categories[0].name
    for key in ("first_seen", "last_seen", "title", "terms", "id"):
        assert mail[key]
    assert api_as(proposed.agent).get(f"{LIST}{mail['id']}/").json()["id"] == mail["id"]


def test_status_filter_and_bad_input(api_as, proposed):
    client = api_as(proposed.agent)
    candidate = Candidate.objects.first()
    assert client.post(f"{LIST}{candidate.pk}/dismiss/").status_code == 200
    assert [r["id"] for r in client.get(LIST, {"status": "dismissed"}).json()["results"]] == [candidate.pk]
    assert len(client.get(LIST).json()["results"]) == 2
    assert client.get(LIST, {"status": "nope"}).status_code == 400
    assert client.get(LIST, {"page_size": "x"}).status_code == 400
    assert client.get(LIST, {"cursor": "garbage"}).status_code == 400
    assert client.get(f"{LIST}99999999999999999999/").status_code == 404


def test_list_query_count_is_constant(api_as, proposed):
    client = api_as(proposed.agent)
    client.get(LIST)
    few = count_queries(lambda: client.get(LIST))
    history(seed=9, tag="b")  # three more clusters on other references
    candidate_services.run_analysis()
    assert Candidate.objects.filter(status="proposed").count() > 3
    assert count_queries(lambda: client.get(LIST)) == few


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_staff_accept_returns_the_problem_and_is_idempotent(api_as, proposed, role):
    user = getattr(factories, role)(username=f"{role}-x")
    client = api_as(user)
    candidate = Candidate.objects.first()
    response = client.post(f"{LIST}{candidate.pk}/accept/")
    assert response.status_code == 201, response.content
    body = response.json()
    problem = Problem.objects.get()
    assert (body["id"], body["number"], body["title"]) == (problem.pk, problem.number, problem.title)
    assert str(problem.pk) in body["url"]
    again = client.post(f"{LIST}{candidate.pk}/accept/")
    assert again.status_code == 200 and again.json()["id"] == problem.pk
    assert Problem.objects.count() == 1
    assert client.post(f"{LIST}{candidate.pk}/dismiss/").status_code == 400


def test_others_are_refused(api_as, proposed):
    candidate = Candidate.objects.first()
    for user, code in ((None, 401), (factories.requester(username="r"), 403), (integration_user(), 403)):
        client = api_as(user)
        assert client.get(LIST).status_code == code
        assert client.get(f"{LIST}{candidate.pk}/").status_code == code
        assert client.post(f"{LIST}{candidate.pk}/accept/").status_code == code
        assert client.post(f"{LIST}{candidate.pk}/dismiss/").status_code == code
        assert client.post(f"{LIST}run/").status_code == code
    assert not Problem.objects.exists()


def test_run_in_the_request_or_queued(api_as, proposed, settings):
    client = api_as(proposed.agent)
    response = client.post(f"{LIST}run/")
    assert response.status_code == 200
    assert response.json()["status"] == "done" and response.json()["clusters"] == 3
    settings.PROBLEM_TREND_SYNC_LIMIT = 10
    response = client.post(f"{LIST}run/")
    assert response.status_code == 202 and response.json()["task_id"]


def test_page_lists_and_accepts(client, proposed):
    client.force_login(proposed.agent)
    page = client.get(reverse("problem_candidates:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Problem candidates" in html and "邮件服务器" in html and "Run analysis now" in html
    first = proposed.clusters["mail"][0]
    assert reverse("incidents:detail", args=[first]) in html
    few = count_queries(lambda: client.get(reverse("problem_candidates:list")))
    candidate = Candidate.objects.get(pk=Candidate.objects.order_by("-score").first().pk)
    response = client.post(reverse("problem_candidates:accept", args=[candidate.pk]))
    problem = Problem.objects.get()
    assert response.status_code == 302 and str(problem.pk) in response["Location"]
    other = Candidate.objects.filter(status="proposed").first()
    assert client.post(reverse("problem_candidates:dismiss", args=[other.pk])).status_code == 302
    assert Candidate.objects.get(pk=other.pk).status == "dismissed"
    assert client.post(reverse("problem_candidates:run")).status_code == 302
    assert count_queries(lambda: client.get(reverse("problem_candidates:list"))) <= few


def test_page_is_for_agents_only(client, proposed):
    client.force_login(factories.requester(username="r2"))
    assert client.get(reverse("problem_candidates:list")).status_code == 403
    candidate = Candidate.objects.first()
    assert client.post(reverse("problem_candidates:accept", args=[candidate.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("problem_candidates:list")).status_code == 302
