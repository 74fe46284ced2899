"""Every page and API endpoint of the continual improvement register: a requester learns nothing from them (not
even the number of an improvement linked to their own incident), and hostile input is a 4xx, never a 500."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client

from core import services as core_services
from core.models import LinkKind
from improvement import services
from improvement.models import Improvement, Proposal, QuarterBudget
from tests.support import factories
from tests.support.improvement_factories import improvement

pytestmark = pytest.mark.django_db

SECRETS = ("Secret outsourcing of the desk", "Hidden proposal about payroll", "Confidential budget note")


@pytest.fixture
def world():
    agent = factories.agent()
    manager = factories.manager()
    acme = factories.OrganizationFactory(name="Acme")
    victim = factories.requester(organization=acme)
    service = factories.ServiceFactory(name="Payroll")
    record = improvement(manager, "action", service, title=SECRETS[0])
    task = services.save_task(record, manager, {"title": "Sign the contract"})
    budget = services.save_budget(manager, {"quarter": "2027Q1", "budget": "1000", "capacity_days": "10",
                                            "notes": SECRETS[2]})
    today = dt.date.today()
    proposal = Proposal.objects.create(source="breach_trend", service=service, title=SECRETS[1], count=5,
                                       period_start=today - dt.timedelta(days=30), period_end=today, evidence={})
    incident = factories.incident(actor=agent, requester=victim, title="Payslip missing")
    core_services.add_link(incident, agent, record, LinkKind.RELATED)
    return SimpleNamespace(agent=agent, manager=manager, victim=victim, record=record, task=task, budget=budget,
                           proposal=proposal, incident=incident,
                           stranger=factories.requester(organization=factories.OrganizationFactory(name="Initech")))


def pages(w):
    r, p, i, b = w.record.pk, w.proposal.pk, w.incident.pk, w.budget.pk
    return [
        "/improvements/", "/improvements/?q=outsourcing", "/improvements/?open=all", "/improvements/new/",
        f"/improvements/{r}/", f"/improvements/{r}/edit/", "/improvements/dashboard/", "/improvements/budgets/",
        "/improvements/proposals/", "/search/?q=outsourcing",
        "/api/v1/improvements/", f"/api/v1/improvements/{r}/", f"/api/v1/improvements/{r}/audit/",
        f"/api/v1/improvements/{r}/links/", f"/api/v1/improvements/{r}/tasks/", "/api/v1/improvements/register/",
        "/api/v1/improvement-budgets/", f"/api/v1/improvement-budgets/{b}/", "/api/v1/improvement-proposals/",
        f"/api/v1/improvement-proposals/{p}/", "/api/v1/search/?q=outsourcing", f"/incidents/{i}/",
        f"/api/v1/incidents/{i}/", f"/api/v1/incidents/{i}/links/", f"/api/v1/incidents/{i}/audit/",
    ]


def posts(w):
    r, p, t, b = w.record.pk, w.proposal.pk, w.task.pk, w.budget.pk
    return [
        (f"/improvements/{r}/act/stage/", {"step": "action", "step-action-action_notes": "x", "advance": "1"}),
        (f"/improvements/{r}/act/measure/", {}), (f"/improvements/{r}/act/set-rank/", {"rank": 1, "reason": "x"}),
        (f"/improvements/{r}/act/add-task/", {"title": "x"}), (f"/improvements/{r}/act/note/", {"body": "x"}),
        ("/improvements/budgets/", {"quarter": "2027Q2", "budget": "1", "capacity_days": "1"}),
        (f"/improvements/proposals/{p}/accept/", {}), (f"/improvements/proposals/{p}/dismiss/", {"reason": "x"}),
        ("/improvements/proposals/run/", {}), ("/api/v1/improvements/", {"title": "x"}),
        (f"/api/v1/improvements/{r}/advance/", {"action_notes": "x"}), (f"/api/v1/improvements/{r}/measure/", {}),
        (f"/api/v1/improvements/{r}/rank/", {"rank": 1, "reason": "x"}),
        (f"/api/v1/improvements/{r}/tasks/", {"title": "x"}),
        ("/api/v1/improvement-budgets/", {"quarter": "2027Q3", "budget": "1", "capacity_days": "1"}),
        (f"/api/v1/improvement-proposals/{p}/accept/", {}),
        (f"/api/v1/improvement-proposals/{p}/dismiss/", {"reason": "x"}),
    ]


@pytest.mark.parametrize("who", ["stranger", "victim"])
def test_a_requester_learns_nothing_about_improvements(world, api_as, who):
    user = getattr(world, who)
    client = Client()
    client.force_login(user)
    api = api_as(user)
    for url in pages(world):
        response = (api if url.startswith("/api/") else client).get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        body = response.content.decode()
        for secret in SECRETS + (world.record.number, "Sign the contract"):
            assert secret not in body, (url, secret)
    assert api.get("/api/v1/improvements/register/").status_code == 403  # not even the quarters' budgets
    version = Improvement.objects.get(pk=world.record.pk).version
    for url, data in posts(world):
        response = (api.post(url, data, format="json") if url.startswith("/api/") else client.post(url, data))
        assert response.status_code in (302, 403, 404), (url, response.status_code)
    record = Improvement.objects.get(pk=world.record.pk)
    assert record.state == "action" and record.version == version and record.rank_override is None
    assert Improvement.objects.count() == 1 and record.tasks.count() == 1 and QuarterBudget.objects.count() == 1
    assert Proposal.objects.get().state == "pending"


def test_agents_read_but_only_managers_decide(world, api_as):
    api = api_as(world.agent)
    p, r = world.proposal.pk, world.record.pk
    assert api.post(f"/api/v1/improvement-proposals/{p}/accept/").status_code == 403
    assert api.post(f"/api/v1/improvements/{r}/rank/", {"rank": 1, "reason": "x"}, format="json").status_code == 403
    assert api.post("/api/v1/improvement-budgets/", {"quarter": "2027Q3", "budget": "1", "capacity_days": "1"},
                    format="json").status_code == 403
    assert api.get("/api/v1/improvement-proposals/").status_code == 200
    assert Proposal.objects.get().state == "pending" and QuarterBudget.objects.count() == 1


HOSTILE_VALUES = [2**70, -1, "\x00", "a\x00b", "1e309", "NaN", "Infinity", [], {}, ["١٢"], [2**70], "2026Q5",
                  "9999-12-31", {"name": "mttr", "service": 2**70}, {"name": "nope"}, True]


def test_hostile_input_is_a_4xx_never_a_500(world, api_as):
    api = api_as(world.manager)
    r, p = world.record.pk, world.proposal.pk
    fresh = improvement(world.manager, "vision", title="Probe")
    api_posts = [("/api/v1/improvements/", ("metric", "benefit", "urgency", "target_value", "services",
                                            "practices", "quarter", "estimated_cost", "owner", "source")),
                 (f"/api/v1/improvements/{fresh.pk}/advance/", ("metric", "vision", "target_value", "baseline_days",
                                                                "version")),
                 (f"/api/v1/improvements/{r}/rank/", ("rank", "reason")),
                 (f"/api/v1/improvements/{r}/tasks/", ("title", "owner", "due_date", "done")),
                 ("/api/v1/improvement-budgets/", ("quarter", "budget", "capacity_days")),
                 (f"/api/v1/improvement-proposals/{p}/dismiss/", ("reason",)),
                 ("/api/v1/improvement-proposals/from-problem/", ("problem",)),
                 ("/api/v1/improvement-proposals/from-review-action/", ("action",))]
    for url, fields in api_posts:
        assert api.generic("POST", url, "[" * 5000 + "]" * 5000,
                           content_type="application/json").status_code == 400, url
        for field in fields:
            for value in HOSTILE_VALUES:
                body = {"title": "Probe", "reason": "Probe", "quarter": "2028Q1", "budget": "1",
                        "capacity_days": "1", field: value}
                response = api.post(url, body, format="json")
                assert response.status_code < 500, (url, field, value, response.status_code)
    for value in HOSTILE_VALUES:
        response = api.patch(f"/api/v1/improvements/{fresh.pk}/", {"target_value": value}, format="json")
        assert response.status_code < 500, (value, response.status_code)
        response = api.get("/api/v1/improvements/", {"ordering": str(value), "services": str(value)})
        assert response.status_code < 500, value
    client = Client(raise_request_exception=False)
    client.force_login(world.manager)
    for query in ({"ordering": "x"}, {"stage": "nowhere"}, {"service": 2**70}, {"quarter": "\x00"},
                  {"owner": "x"}, {"metric": "x"}):
        assert client.get("/improvements/", query).status_code < 500, query
    for data in ({"step": "vision", "step-vision-baseline_days": "1e309"}, {"step": "nowhere"},
                 {"step": "target", "step-target-target_value": "NaN", "advance": "1"},
                 {"step": "plan", "step-plan-estimated_cost": "-5"}):
        assert client.post(f"/improvements/{fresh.pk}/act/stage/", data).status_code < 500, data
    for data in ({"rank": "0", "reason": ""}, {"rank": str(2**70), "reason": "x"}):
        assert client.post(f"/improvements/{r}/act/set-rank/", data).status_code < 500, data
    for data in ({"quarter": "2026Q9", "budget": "1", "capacity_days": "1"},
                 {"quarter": "2027Q4", "budget": "1e309", "capacity_days": "-1"}):
        assert client.post("/improvements/budgets/", data).status_code < 500, data
    fresh.refresh_from_db()
    assert fresh.target_value is None or fresh.target_value == fresh.target_value  # never NaN
