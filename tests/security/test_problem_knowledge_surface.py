"""Every page and API endpoint added by problem management and knowledge: a requester of another organization
learns nothing from them, and hostile input (deep JSON, NUL bytes, huge numbers, far dates) is a 4xx, never a 500."""

from types import SimpleNamespace

import pytest
from django.test import Client

from knowledge import services as knowledge_services
from knowledge.models import Audience
from problems import candidate_services
from knowledge.models import ArticleLink
from problems.models import Candidate, Problem
from tests.support import factories
from tests.support.trend_data import history

pytestmark = pytest.mark.django_db

SECRETS = ("Secret relay root cause", "Internal escalation runbook", "Globex payroll export fails")


@pytest.fixture
def world():
    data = history()
    candidate_services.run_analysis()
    agent = data.agent
    globex = factories.OrganizationFactory(name="Globex")
    victim = factories.requester(organization=globex)
    incident = factories.incident(actor=agent, requester=victim, title=SECRETS[2])
    problem = factories.problem(actor=agent, title=SECRETS[0], known_error=True, workaround="Restart the relay",
                                incidents=[incident])
    article = knowledge_services.publish(knowledge_services.create_article(agent, {
        "title": SECRETS[1], "body": "Call the on-duty engineer.", "audience": Audience.AGENTS}), agent)
    stranger = factories.requester(organization=factories.OrganizationFactory(name="Initech"))
    candidate = Candidate.objects.first()
    return SimpleNamespace(agent=agent, incident=incident, problem=problem, article=article, stranger=stranger,
                           candidate=candidate)


def pages(w):
    p, i, a, c = w.problem.pk, w.incident.pk, w.article.pk, w.candidate.pk
    return [
        "/problems/", "/problems/?q=relay", "/problems/new/", f"/problems/new/?from_incident={i}",
        f"/problems/{p}/", f"/problems/{p}/edit/", "/problems/candidates/", "/problems/reports/",
        "/problems/workarounds/suggest/?title=relay root cause", "/knowledge/", "/knowledge/?q=runbook",
        f"/knowledge/{a}/", f"/knowledge/{a}/versions/1/", f"/knowledge/{a}/edit/", "/knowledge/new/",
        "/knowledge/suggest/?title=escalation runbook", "/search/?q=payroll", f"/incidents/{i}/",
        f"/tickets/{i}/panels/29/", f"/tickets/{i}/panels/30/",
        "/api/v1/problems/", f"/api/v1/problems/{p}/", f"/api/v1/problems/{p}/audit/", f"/api/v1/problems/{p}/links/",
        "/api/v1/known-errors/", f"/api/v1/known-errors/?incident={i}", "/api/v1/known-errors/?q=relay",
        "/api/v1/problem-candidates/", f"/api/v1/problem-candidates/{c}/", "/api/v1/articles/",
        "/api/v1/articles/?q=runbook", f"/api/v1/articles/{a}/", f"/api/v1/articles/{a}/versions/",
        "/api/v1/search/?q=relay", f"/api/v1/incidents/{i}/links/",
    ]


def posts(w):
    p, i, a, c = w.problem.pk, w.incident.pk, w.article.pk, w.candidate.pk
    return [
        (f"/problems/{p}/act/note/", {"body": "x"}), (f"/problems/{p}/act/analysis/", {"root_cause": "x"}),
        (f"/problems/{p}/act/communicate-workaround/", {}), (f"/problems/candidates/{c}/accept/", {}),
        (f"/problems/candidates/{c}/dismiss/", {}), ("/problems/candidates/run/", {}),
        (f"/problems/workarounds/incidents/{i}/apply/", {"problem": p}), (f"/knowledge/{a}/state/retire/", {}),
        (f"/knowledge/{a}/helped/{i}/", {}), ("/api/v1/problems/", {"title": "x"}),
        (f"/api/v1/incidents/{i}/apply-workaround/", {"problem": p}),
        (f"/api/v1/problems/{p}/communicate-workaround/", {}), (f"/api/v1/problems/{p}/resolve-incidents/", {}),
        (f"/api/v1/problem-candidates/{c}/accept/", {}), ("/api/v1/problem-candidates/run/", {}),
        ("/api/v1/articles/", {"title": "x", "body": "y"}), (f"/api/v1/articles/{a}/publish/", {}),
    ]


def test_a_requester_of_another_organization_learns_nothing(world, api_as):
    client = Client()
    client.force_login(world.stranger)
    api = api_as(world.stranger)
    for url in pages(world):
        response = (api if url.startswith("/api/") else client).get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        body = response.content.decode()
        for secret in SECRETS + (world.problem.number, world.article.number, world.incident.number):
            assert secret not in body, (url, secret)
    for url, data in posts(world):
        response = (api.post(url, data, format="json") if url.startswith("/api/") else client.post(url, data))
        assert response.status_code in (302, 403, 404), (url, response.status_code)
    world.problem.refresh_from_db()
    world.article.refresh_from_db()
    assert world.problem.comments.count() == 0 and world.article.state == "published"
    assert not world.incident.links_out.exclude(target=world.problem).exists()
    assert not ArticleLink.objects.exists() and not Problem.objects.exclude(pk=world.problem.pk).exists()
    assert Candidate.objects.get(pk=world.candidate.pk).status == "proposed"


HOSTILE_VALUES = [2**70, -1, "\x00", "a\x00b", "9999-12-31", "0001-01-01", "99999-01-01", "1e309", [], {},
                  ["١٢"], "INC" + "9" * 40]


def deep(levels=5000):
    return "[" * levels + "]" * levels


def test_hostile_input_is_a_4xx_never_a_500(world, api_as):
    api = api_as(world.agent)
    client = Client(raise_request_exception=False)
    client.force_login(world.agent)
    p, i, a = world.problem.pk, world.incident.pk, world.article.pk
    api_posts = [("/api/v1/problems/", ("title", "incidents", "affected_cis", "review_date", "known_error",
                                        "category", "origin")),
                 (f"/api/v1/incidents/{i}/apply-workaround/", ("problem", "public")),
                 ("/api/v1/articles/", ("title", "body", "audience", "review_date", "services", "version")),
                 (f"/api/v1/problems/{p}/transition/", ("to", "resolution_code", "version"))]
    for url, fields in api_posts:
        assert api.generic("POST", url, deep(), content_type="application/json").status_code == 400, url
        assert api.generic("POST", url, '{"title": "\\u0000"}', content_type="application/json").status_code < 500
        for field in fields:
            for value in HOSTILE_VALUES:
                body = {"title": "Probe", "body": "Probe", field: value}
                response = api.post(url, body, format="json")
                assert response.status_code < 500, (url, field, value, response.status_code)
    patches = [f"/api/v1/problems/{p}/", f"/api/v1/articles/{a}/"]
    for url in patches:
        for field in ("review_date", "incidents", "affected_services", "title", "version"):
            for value in HOSTILE_VALUES:
                response = api.patch(url, {field: value}, format="json")
                assert response.status_code < 500, (url, field, value, response.status_code)
    queries = ["/api/v1/problems/", "/api/v1/known-errors/", "/api/v1/problem-candidates/", "/api/v1/articles/",
               "/problems/", "/knowledge/", "/problems/reports/", "/problems/workarounds/suggest/"]
    params = ("incident", "q", "status", "limit", "cursor", "after", "before", "known_error", "review_due", "origin",
              "category", "start", "end", "service", "configuration_item", "title")
    for url in queries:
        for param in params:
            for value in ("\x00", str(2**70), "99999-01-01", "-5", "١٢", "x" * 5000):
                response = (api if url.startswith("/api/") else client).get(url, {param: value})
                assert response.status_code < 500, (url, param, value, response.status_code)
    form_posts = [(f"/problems/{p}/act/{name}/", fields) for name, fields in (
        ("analysis", ("review_date", "version", "technique")), ("add-task", ("team", "assignee", "due_date")),
        ("complete-task", ("task",)), ("link-incidents", ("number",)), ("unlink-incident", ("incident",)))]
    form_posts += [("/problems/new/", ("incident_numbers", "affected_cis", "review_date", "impact")),
                   (f"/problems/workarounds/incidents/{i}/apply/", ("problem",)), ("/knowledge/new/", ("review_date",)),
                   (f"/knowledge/{a}/edit/", ("version", "review_date"))]
    for url, fields in form_posts:
        for field in fields:
            for value in ("\x00", str(2**70), "99999-01-01", "0001-01-01", "-1", "١٢"):
                response = client.post(url, {"title": "Probe", "body": "Probe", field: value})
                assert response.status_code < 500, (url, field, value, response.status_code)
