"""The improvement register's API contract: its fields, the seven steps through `advance`, measuring, the
manager's rank, tasks, the ranked register with the quarters' budgets, and the budgets themselves."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import AuditEntry, Team
from improvement import services
from improvement.api import views as improvement_views
from improvement.models import Improvement, QuarterBudget
from incidents.models import Category
from tests.support import factories
from tests.support.improvement_factories import improvement
from tests.support.queries import count_queries, max_queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/improvements/"
REGISTER = f"{URL}register/"
BUDGETS = "/api/v1/improvement-budgets/"

CONTRACT = ("source", "services", "stage", "benefit", "cost", "effort", "risk", "urgency", "alignment", "score",
            "metric", "target_value", "baseline", "result", "owner", "practices", "target_date", "quarter",
            "evidence", "vision", "objective", "baseline_days", "swot_strengths", "swot_weaknesses",
            "swot_opportunities", "swot_threats", "scorecard_financial", "scorecard_customer", "scorecard_internal",
            "scorecard_learning", "assessment_notes", "plan", "business_case", "estimated_cost", "annual_benefit",
            "effort_days", "payback_months", "action_notes", "evaluation", "follow_ups", "lessons", "closure",
            "withdrawn_reason", "rank_override", "rank_reason")
RATINGS = ("benefit", "cost", "effort", "risk", "urgency", "alignment")
STAGES = ("vision", "baseline", "target", "plan", "action", "result", "momentum", "closed")


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def url(record, sub=""):
    return f"{URL}{record.pk}/{sub}"


@pytest.fixture
def agent():
    return factories.agent()


@pytest.fixture
def manager():
    return factories.manager()


@pytest.fixture
def api(api_as, agent):
    return api_as(agent)


@pytest.fixture
def service():
    return factories.ServiceFactory(name="Laptops")


# --- fields -------------------------------------------------------------------------------------------------------

def test_list_and_detail_carry_every_contract_field(api, agent):
    record = improvement(actor=agent)
    row = ok(api.get(URL))["results"][0]
    detail = ok(api.get(url(record)))
    for name in CONTRACT:
        assert name in row, name
        assert name in detail, name
    assert "tasks" in detail and "allowed_transitions" in detail
    assert row["stage"] == "vision" and row["score"] == "10.00" and row["baseline"] is None and row["result"] is None
    # The ticket's own impact / urgency / priority are not the assessment's: left out, `urgency` is the rating.
    assert not {"impact", "priority", "priority_label"} & set(detail)


def test_create_with_assessment_services_and_metric(api, service):
    team = factories.TeamFactory()
    body = ok(api.post(URL, {
        "title": "Faster laptop repairs", "source": "audit", "services": [service.pk], "benefit": 5, "cost": 1,
        "effort": 2, "risk": 1, "urgency": 4, "alignment": 5, "practices": ["incident", "incident", "service_desk"],
        "metric": {"name": "mttr", "service": service.pk, "team": team.pk}, "target_value": 14400,
        "target_date": "2030-03-31", "quarter": "2030-q1", "vision": "Same-day repairs"}, format="json"), 201)
    assert body["source"] == "audit" and body["services"] == [service.pk] and body["stage"] == "vision"
    assert [body[name] for name in RATINGS] == [5, 1, 2, 1, 4, 5]
    assert body["score"] == "35.00"  # (5 + 4 + 5) / (1 + 2 + 1) x 10
    assert body["metric"] == {"name": "mttr", "timer": "", "service": service.pk, "organization": None,
                              "team": team.pk, "category": None}
    assert body["practices"] == ["incident", "service_desk"] and body["quarter"] == "2030Q1"
    record = Improvement.objects.get(pk=body["id"])
    assert record.urgency_rating == 4 and record.urgency == 3  # the ticket's urgency keeps its default
    assert body["owner"] == AuditEntry.objects.get(ticket_id=record.pk, action="created").actor_id


@pytest.mark.parametrize("name", RATINGS)
@pytest.mark.parametrize("value", [0, 6, -1, "high", 2.5, True, None])
def test_ratings_outside_one_to_five_are_400(api, agent, name, value):
    record = improvement(actor=agent)
    response = api.patch(url(record), {name: value}, format="json")
    assert response.status_code == 400 and name in response.json(), response.content
    created = api.post(URL, {"title": "x", name: value}, format="json")
    assert created.status_code == 400 and name in created.json()


def test_ratings_change_the_score(api, agent):
    record = improvement(actor=agent)
    body = ok(api.patch(url(record), {"benefit": 5, "urgency": 5, "alignment": 5, "cost": 1, "effort": 1,
                                      "risk": 1}, format="json"))
    assert body["score"] == "50.00" and body["urgency"] == 5


def test_read_only_fields_are_ignored(api, agent):
    record = improvement(actor=agent)
    before = ok(api.get(url(record)))
    body = ok(api.patch(url(record), {
        "title": "Renamed", "stage": "closed", "state": "closed", "score": "49.00", "evidence": {"x": 1},
        "baseline": {"value": 1, "period_start": "2020-01-01", "period_end": "2020-01-31"},
        "result": {"value": 2, "period_start": "2020-02-01", "period_end": "2020-02-28", "outcome": "achieved"},
        "closure": "completed", "payback_months": "1.0", "rank_override": 1, "rank_reason": "Mine",
        "action_started_on": "2020-01-01", "number": "IMP9999999"}, format="json"))
    assert body["title"] == "Renamed"
    for name in ("stage", "state", "score", "evidence", "baseline", "result", "closure", "payback_months",
                 "rank_override", "rank_reason", "action_started_on", "number"):
        assert body[name] == before[name], name


def test_payback_months_follow_the_business_case(api, agent):
    record = improvement(actor=agent)
    body = ok(api.patch(url(record), {"estimated_cost": "12000.00", "annual_benefit": "48000.00"}, format="json"))
    assert body["payback_months"] == "3.0" and body["estimated_cost"] == "12000.00"


def test_owner_must_be_staff(api, agent):
    record = improvement(actor=agent)
    response = api.patch(url(record), {"owner": factories.requester().pk}, format="json")
    assert response.status_code == 400 and "owner" in response.json()
    other = factories.agent()
    assert ok(api.patch(url(record), {"owner": other.pk}, format="json"))["owner"] == other.pk


def test_service_refusals_name_the_api_fields(api, agent):
    record = improvement(actor=agent)
    response = api.patch(url(record), {"quarter": "Q3"}, format="json")
    assert response.status_code == 400 and "quarter" in response.json()
    closed = improvement(actor=agent, stage="closed")
    response = api.patch(url(closed), {"vision": "Again"}, format="json")
    assert response.status_code == 400 and "stage" in response.json()


# --- the metric object ------------------------------------------------------------------------------------------------

def test_metric_round_trip(api, agent, service):
    record = improvement(actor=agent, services=[])
    organization = factories.OrganizationFactory()
    team = factories.TeamFactory()
    category = Category.objects.create(name="Hardware")
    metric = {"name": "sla_compliance", "timer": "resolution", "service": service.pk,
              "organization": organization.pk, "team": team.pk, "category": category.pk}
    body = ok(api.patch(url(record), {"metric": metric}, format="json"))
    assert body["metric"] == metric
    again = ok(api.patch(url(record), {"metric": body["metric"]}, format="json"))
    assert again["metric"] == metric and again["version"] == body["version"]  # nothing changed
    record.refresh_from_db()
    assert (record.metric_name, record.metric_timer, record.metric_service_id, record.metric_organization_id,
            record.metric_team_id, record.metric_category_id) == (
        "sla_compliance", "resolution", service.pk, organization.pk, team.pk, category.pk)
    # Written as a whole: keys left out are cleared.
    body = ok(api.patch(url(record), {"metric": {"name": "csat", "organization": organization.pk}}, format="json"))
    assert body["metric"] == {"name": "csat", "timer": "", "service": None, "organization": organization.pk,
                              "team": None, "category": None}
    # A draft may be incomplete: a name alone, or a scope alone.
    assert ok(api.patch(url(record), {"metric": {"name": "mtta"}}, format="json"))["metric"]["name"] == "mtta"
    assert ok(api.patch(url(record), {"metric": {"name": "", "team": team.pk}}, format="json"))["metric"] == {
        "name": "", "timer": "", "service": None, "organization": None, "team": team.pk, "category": None}
    assert ok(api.patch(url(record), {"metric": None}, format="json"))["metric"] is None


@pytest.mark.parametrize("metric, field", [
    ({"name": "uptime"}, "name"),
    ({"name": "mttr", "service": 999999}, "service"),
    ({"name": "mttr", "organization": 999999}, "organization"),
    ({"name": "mttr", "team": "abc"}, "team"),
    ({"name": "mttr", "category": 2**70}, "category"),
    ({"name": "mttr", "timer": "sometimes"}, "timer"),
    ({"timer": ""}, "name"),
    ("mttr", "non_field_errors"),
])
def test_bad_metric_is_400_with_field_messages(api, agent, metric, field):
    record = improvement(actor=agent)
    version = record.version
    response = api.patch(url(record), {"metric": metric}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["metric"]
    record.refresh_from_db()
    assert record.version == version


# --- the seven steps through advance ----------------------------------------------------------------------------------

def advance(api, record, body=None, **headers):
    return api.post(url(record, "advance/"), body or {}, format="json", **headers)


def refused(response, *fields):
    assert response.status_code == 400, response.content
    errors = response.json()
    for field in fields:
        name, _, sub = field.partition(".")
        assert name in errors, (field, errors)
        if sub:
            assert sub in errors[name], (field, errors)
    return errors


def test_advance_walks_every_stage_with_the_right_refusals(api, agent, service):
    record = Improvement.objects.get(pk=ok(api.post(URL, {"title": "Same-day laptop repairs",
                                                          "services": [service.pk]}, format="json"), 201)["id"])
    # 1. What is the vision? Everything missing is named at once; a metric without a scope is not measurable.
    refused(advance(api, record), "vision", "objective", "metric.name")
    errors = refused(advance(api, record, {"vision": "Same day", "metric": {"name": "sla_compliance"}}),
                     "objective", "metric.service")
    assert "vision" not in errors
    record.refresh_from_db()
    assert record.vision == "" and record.state == "vision"  # nothing written when refused
    refused(advance(api, record, {"vision": "Same day", "objective": "Productivity",
                                  "metric": {"name": "availability", "team": factories.TeamFactory().pk}}),
            "metric.service")
    refused(advance(api, record, {"vision": "Same day", "objective": "Productivity",
                                  "metric": {"name": "mttr", "timer": "response", "service": service.pk}}),
            "metric.timer")
    body = ok(advance(api, record, {"vision": "Same day", "objective": "Productivity",
                                    "metric": {"name": "sla_compliance", "timer": "resolution",
                                               "service": service.pk}}))
    assert body["stage"] == "baseline" and body["vision"] == "Same day"
    today = timezone.localdate()
    assert body["baseline"] == {"value": None, "period_start": (today - datetime.timedelta(days=90)).isoformat(),
                                "period_end": (today - datetime.timedelta(days=1)).isoformat()}
    # 2. Where are we now? Some assessment.
    refused(advance(api, record), "assessment_notes")
    body = ok(advance(api, record, {"swot_weaknesses": "Spares ordered per fault", "benefit": 5}))
    assert body["stage"] == "target" and body["score"] == "12.22"  # (5 + 3 + 3) / (3 + 3 + 3) x 10
    # 3. Where do we want to be?
    refused(advance(api, record), "target_value", "target_date")
    refused(advance(api, record, {"target_value": "high"}), "target_value")
    body = ok(advance(api, record, {"target_value": 95, "target_date": "2030-06-30"}))
    assert body["stage"] == "plan" and body["target_value"] == 95.0
    # 4. How do we get there? The plan, its business case and a well-formed quarter.
    refused(advance(api, record), "plan", "business_case", "estimated_cost", "annual_benefit", "effort_days",
            "quarter")
    plan = {"plan": "Stock spares", "business_case": "Less downtime", "estimated_cost": "6000",
            "annual_benefit": "24000", "effort_days": "10"}
    refused(advance(api, record, {**plan, "quarter": "2030Q5"}), "quarter")
    body = ok(advance(api, record, {**plan, "quarter": "2030Q2"}))
    assert body["stage"] == "action" and body["payback_months"] == "3.0"
    # 5. Take action: something recorded, every task done.
    refused(advance(api, record), "tasks")
    task = ok(api.post(url(record, "tasks/"), {"title": "Order spares"}, format="json"), 201)
    errors = refused(advance(api, record), "tasks")
    assert "Order spares" in errors["tasks"][0]
    ok(api.patch(url(record, f"tasks/{task['id']}/"), {"done": True}, format="json"))
    body = ok(advance(api, record))
    assert body["stage"] == "result" and body["result"]["period_end"] == today.isoformat()
    assert set(body["result"]) == {"value", "period_start", "period_end", "outcome"}
    # 6. Did we get there?
    refused(advance(api, record), "evaluation")
    assert ok(advance(api, record, {"evaluation": "Better"}))["stage"] == "momentum"
    # 7. How do we keep the momentum going?
    refused(advance(api, record, {"lessons": "Stock early"}), "follow_ups")
    body = ok(advance(api, record, {"follow_ups": "Review spares quarterly"}))
    assert body["stage"] == "closed" and body["closure"] == "completed" and body["lessons"] == ""
    refused(advance(api, record), "stage")
    moves = [e.changes["state"] for e in AuditEntry.objects.filter(ticket_id=record.pk, action="transitioned")
             .order_by("id")]
    assert moves == [[a, b] for a, b in zip(STAGES, STAGES[1:])]


def test_advance_honours_if_match_and_version(api, agent):
    record = improvement(actor=agent, stage="baseline")
    version = record.version
    stale = advance(api, record, {"assessment_notes": "Audit"}, HTTP_IF_MATCH=f'"{version - 1}"')
    assert stale.status_code == 412 and stale.json()["current_version"] == version
    conflict = advance(api, record, {"assessment_notes": "Audit", "version": version - 1})
    assert conflict.status_code == 409
    record.refresh_from_db()
    assert record.state == "baseline" and record.assessment_notes == ""
    response = advance(api, record, {"assessment_notes": "Audit"}, HTTP_IF_MATCH=f'"{version}"')
    body = ok(response)
    assert body["stage"] == "target" and response["ETag"] == f'"{body["version"]}"'


def test_advance_is_for_staff(api_as, agent):
    record = improvement(actor=agent)
    assert advance(api_as(factories.requester()), record, {"vision": "x"}).status_code == 404
    assert advance(api_as(None), record).status_code == 401


def test_withdrawing_goes_through_the_transition(api, agent):
    record = improvement(actor=agent, stage="plan")
    refused(api.post(url(record, "transition/"), {"to": "closed"}, format="json"), "withdrawn_reason")
    body = ok(api.post(url(record, "transition/"), {"to": "closed", "withdrawn_reason": "Superseded"},
                       format="json"))
    assert body["stage"] == "closed" and body["closure"] == "withdrawn"


# --- measuring -------------------------------------------------------------------------------------------------------

def test_measure_recomputes_the_result(api, agent):
    early = improvement(actor=agent, stage="plan")
    refused(api.post(url(early, "measure/")), "stage")
    record = improvement(actor=agent, stage="action")
    assert ok(api.get(url(record)))["result"] is None
    stale = api.post(url(record, "measure/"), HTTP_IF_MATCH=f'"{record.version + 5}"')
    assert stale.status_code == 412
    body = ok(api.post(url(record, "measure/"), HTTP_IF_MATCH=f'"{record.version}"'))
    assert body["result"]["period_start"] == timezone.localdate().isoformat()
    assert body["result"]["outcome"] in ("", "achieved", "partly_achieved", "not_achieved")
    record.refresh_from_db()
    assert record.result_measured_at is not None and record.measurements.filter(kind="result").count() == 1
    assert api.post(url(record, "measure/"), HTTP_IF_MATCH='"1"').status_code == 412


# --- the manager's rank -----------------------------------------------------------------------------------------------

def test_rank_is_for_managers_with_a_reason_kept_in_the_audit_trail(api_as, agent, manager):
    record = improvement(actor=agent)
    assert api_as(agent).post(url(record, "rank/"), {"rank": 1, "reason": "Mine"}, format="json").status_code == 403
    api = api_as(manager)
    refused(api.post(url(record, "rank/"), {"rank": 1}, format="json"), "reason")
    refused(api.post(url(record, "rank/"), {"rank": 1, "reason": "  "}, format="json"), "reason")
    refused(api.post(url(record, "rank/"), {"rank": 0, "reason": "Top"}, format="json"), "rank")
    refused(api.post(url(record, "rank/"), {"rank": "first", "reason": "Top"}, format="json"), "rank")
    refused(api.post(url(record, "rank/"), {"reason": "Top"}, format="json"), "rank")
    body = ok(api.post(url(record, "rank/"), {"rank": 1, "reason": "The CIO's priority"}, format="json"))
    assert body["rank_override"] == 1 and body["rank_reason"] == "The CIO's priority"
    audit = ok(api.get(url(record, "audit/")))["results"]
    assert audit[-1]["changes"]["rank_override"] == [None, 1]
    assert audit[-1]["changes"]["rank_reason"] == ["", "The CIO's priority"]
    body = ok(api.post(url(record, "rank/"), {"rank": None, "reason": "Back to its score"}, format="json"))
    assert body["rank_override"] is None and body["rank_reason"] == "Back to its score"
    stale = api.post(url(record, "rank/"), {"rank": 2, "reason": "x"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    closed = improvement(actor=agent, stage="closed")
    refused(api.post(url(closed, "rank/"), {"rank": 1, "reason": "Too late"}, format="json"), "rank")


# --- tasks ------------------------------------------------------------------------------------------------------------

def test_tasks_are_added_changed_done_and_removed(api, api_as, agent):
    record = improvement(actor=agent, stage="action")
    assert ok(api.get(url(record, "tasks/")))["results"] == []
    refused(api.post(url(record, "tasks/"), {}, format="json"), "title")
    refused(api.post(url(record, "tasks/"), {"title": "x", "owner": factories.requester().pk}, format="json"),
            "owner")
    response = api.post(url(record, "tasks/"), {"title": "Order spares", "owner": agent.pk,
                                                "due_date": "2030-01-31"}, format="json")
    task = ok(response, 201)
    assert task["done"] is False and task["done_at"] is None and task["owner_name"]
    record.refresh_from_db()
    assert response["ETag"] == f'"{record.version}"'
    task = ok(api.patch(url(record, f"tasks/{task['id']}/"), {"done": True, "title": "Order 20 spares"},
                        format="json"))
    assert task["done"] is True and task["done_at"] and task["title"] == "Order 20 spares"
    detail = ok(api.get(url(record)))
    assert [t["title"] for t in detail["tasks"]] == ["Order 20 spares"]
    other = improvement(actor=agent, stage="action")
    assert api.patch(url(other, f"tasks/{task['id']}/"), {"done": False}, format="json").status_code == 404
    assert api.delete(url(record, f"tasks/{2**70}/")).status_code == 404
    assert api_as(factories.requester()).get(url(record, "tasks/")).status_code == 404
    assert api.delete(url(record, f"tasks/{task['id']}/")).status_code == 204
    assert ok(api.get(url(record, "tasks/")))["results"] == []
    changes = [e.changes for e in AuditEntry.objects.filter(ticket_id=record.pk).order_by("id")
               if e.changes.keys() & {"improvement_task", "improvement_task_done"}]
    assert changes[1]["improvement_task_done"] == [None, "Order 20 spares"]
    assert changes[-1]["improvement_task"][0].startswith("Order 20 spares") and changes[-1]["improvement_task"][1] is None
    assert len(changes) == 3


def test_closed_improvements_take_no_tasks(api, agent):
    record = improvement(actor=agent, stage="closed")
    refused(api.post(url(record, "tasks/"), {"title": "Late"}, format="json"), "title")


def test_detail_query_count_does_not_grow_with_tasks(api, agent):
    record = improvement(actor=agent, stage="action")
    for i in range(2):
        services.save_task(record, agent, {"title": f"Task {i}", "owner": factories.agent()})
    api.get(url(record))
    few = count_queries(lambda: ok(api.get(url(record))))
    for i in range(6):
        services.save_task(record, agent, {"title": f"More {i}", "owner": factories.agent()})
    assert count_queries(lambda: ok(api.get(url(record)))) == few


# --- list orderings ---------------------------------------------------------------------------------------------------

def test_list_sorts_by_score_target_date_and_created_and_still_pages(api, agent):
    rows = [improvement(actor=agent, benefit=b, target_date=d) for b, d in (
        (1, datetime.date(2030, 3, 1)), (5, None), (3, datetime.date(2030, 1, 1)), (4, datetime.date(2030, 2, 1)))]

    def ids(ordering):
        first = ok(api.get(URL, {"ordering": ordering, "page_size": 2}))
        rest = ok(api.get(first["next"]))["results"] if first["next"] else []
        return [r["id"] for r in first["results"] + rest]

    assert ids("-score") == [rows[i].pk for i in (1, 3, 2, 0)]
    assert ids("score") == [rows[i].pk for i in (0, 2, 3, 1)]
    assert ids("target_date") == [rows[i].pk for i in (2, 3, 0)]
    assert ids("-target_date") == [rows[i].pk for i in (0, 3, 2)]
    assert ids("created_at") == [r.pk for r in rows]
    assert ids("-created_at") == [r.pk for r in reversed(rows)]
    assert api.get(URL, {"ordering": "rank"}).status_code == 400


def test_list_query_count_is_constant(api, agent):
    for _ in range(3):
        improvement(actor=agent)
    api.get(URL)
    few = count_queries(lambda: ok(api.get(URL)))
    for _ in range(9):
        improvement(actor=agent, owner=factories.agent())
    assert count_queries(lambda: ok(api.get(URL))) == few


# --- the register -----------------------------------------------------------------------------------------------------

def test_register_orders_by_score_with_a_managers_override(api, agent, manager):
    low = improvement(actor=agent, benefit=1)
    high = improvement(actor=agent, benefit=5)
    mid = improvement(actor=agent, benefit=3)
    improvement(actor=agent, benefit=5, stage="closed")
    body = ok(api.get(REGISTER))
    assert [(r["id"], r["rank"]) for r in body["results"]] == [(high.pk, 1), (mid.pk, 2), (low.pk, 3)]
    assert body["truncated"] is False
    services.set_rank(low, manager, 1, "Audit finding: must go first")
    rows = ok(api.get(REGISTER))["results"]
    assert [r["id"] for r in rows] == [low.pk, high.pk, mid.pk]
    assert rows[0]["rank_override"] == 1 and rows[0]["rank_reason"] == "Audit finding: must go first"


def test_register_is_filtered_like_the_list_and_bounded(api, agent, monkeypatch):
    audit = [improvement(actor=agent, source="audit", benefit=b) for b in (2, 4, 3)]
    improvement(actor=agent, source="survey")
    body = ok(api.get(REGISTER, {"source": "audit"}))
    assert [r["id"] for r in body["results"]] == [audit[1].pk, audit[2].pk, audit[0].pk]
    assert api.get(REGISTER, {"source": "rumour"}).status_code == 400
    monkeypatch.setattr(improvement_views, "REGISTER_LIMIT", 2)
    body = ok(api.get(REGISTER, {"source": "audit"}))
    assert [r["rank"] for r in body["results"]] == [1, 2] and body["truncated"] is True


def test_register_shows_the_quarters_budgets(api, agent, manager):
    services.save_budget(manager, {"quarter": "2027Q1", "budget": Decimal("50000"), "capacity_days": Decimal("40")})
    improvement(actor=agent, stage="action")  # the factory plans it against 2027Q1: 12000, 15 days, committed
    improvement(actor=agent, stage="plan", quarter="2027Q1", estimated_cost="2000", effort_days="3")  # planned
    improvement(actor=agent, stage="plan", quarter="2027Q2")
    budgets = ok(api.get(REGISTER))["budgets"]
    assert [b["quarter"] for b in budgets] == ["2027Q2", "2027Q1"]
    assert budgets[1] == {"quarter": "2027Q1", "budget": "50000.00", "capacity_days": "40.0",
                          "planned_cost": "2000.00", "planned_days": "3.0", "committed_cost": "12000.00",
                          "committed_days": "15.0"}
    assert budgets[0]["budget"] is None
    assert [b["quarter"] for b in ok(api.get(REGISTER, {"quarter": "2027Q1"}))["budgets"]] == ["2027Q1"]


def test_register_query_count_is_constant(api, agent, manager):
    services.save_budget(manager, {"quarter": "2027Q1", "budget": Decimal("100"), "capacity_days": Decimal("1")})
    for _ in range(3):
        improvement(actor=agent, stage="plan")
    api.get(REGISTER)
    few = count_queries(lambda: ok(api.get(REGISTER)))
    for benefit in range(1, 6):
        record = improvement(actor=agent, benefit=benefit, owner=factories.agent())
        services.set_rank(record, manager, benefit, "Hand-picked")
    with max_queries(few):
        ok(api.get(REGISTER))


def test_register_is_for_staff(api_as, agent):
    improvement(actor=agent)
    assert api_as(factories.requester()).get(REGISTER).status_code == 403  # not even the budgets
    assert api_as(None).get(REGISTER).status_code == 401


# --- quarter budgets --------------------------------------------------------------------------------------------------

def test_budgets_staff_read_managers_write(api_as, agent, manager):
    assert api_as(agent).post(BUDGETS, {"quarter": "2027Q1", "budget": "1", "capacity_days": "1"},
                              format="json").status_code == 403
    assert api_as(factories.requester()).get(BUDGETS).status_code == 403
    api = api_as(manager)
    body = ok(api.post(BUDGETS, {"quarter": "2027-q1", "budget": "50000", "capacity_days": "40.5",
                                 "notes": "Approved by the board"}, format="json"), 201)
    assert body["quarter"] == "2027Q1" and body["budget"] == "50000.00" and body["capacity_days"] == "40.5"
    ok(api.post(BUDGETS, {"quarter": "2026Q4", "budget": "10", "capacity_days": "1"}, format="json"), 201)
    assert [b["quarter"] for b in ok(api_as(agent).get(BUDGETS))["results"]] == ["2027Q1", "2026Q4"]
    body = ok(api.patch(f"{BUDGETS}{body['id']}/", {"budget": "60000"}, format="json"))
    assert body["budget"] == "60000.00" and QuarterBudget.objects.get(quarter="2027Q1").budget == 60000
    assert api_as(agent).patch(f"{BUDGETS}{body['id']}/", {"budget": "1"}, format="json").status_code == 403
    assert api.get(f"{BUDGETS}{2**70}/").status_code == 404


@pytest.mark.parametrize("payload, field", [
    ({"quarter": "2027Q5", "budget": "1", "capacity_days": "1"}, "quarter"),
    ({"quarter": "Q1 2027", "budget": "1", "capacity_days": "1"}, "quarter"),
    ({"quarter": "2027Q1", "budget": "-1", "capacity_days": "1"}, "budget"),
    ({"quarter": "2027Q1", "budget": "1", "capacity_days": "lots"}, "capacity_days"),
    ({"quarter": "2026Q4", "budget": "1", "capacity_days": "1"}, "quarter"),  # already set
    ({"budget": "1", "capacity_days": "1"}, "quarter"),
])
def test_bad_budgets_are_400(api_as, manager, payload, field):
    services.save_budget(manager, {"quarter": "2026Q4", "budget": Decimal("1"), "capacity_days": Decimal("1")})
    response = api_as(manager).post(BUDGETS, payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.content


# --- the schema -------------------------------------------------------------------------------------------------------

def test_schema_documents_the_contract(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/improvements/", "/api/v1/improvements/{id}/advance/", "/api/v1/improvements/{id}/measure/",
                 "/api/v1/improvements/{id}/rank/", "/api/v1/improvements/{id}/tasks/",
                 "/api/v1/improvements/{id}/tasks/{task_id}/", "/api/v1/improvements/register/",
                 "/api/v1/improvement-budgets/", "/api/v1/improvement-budgets/{id}/"):
        assert path in schema["paths"], path
    components = schema["components"]["schemas"]
    properties = components["ImprovementDetail"]["properties"]
    assert set(CONTRACT) <= set(properties)
    assert components["ImprovementStageEnum"]["enum"] == list(STAGES)
    for name in RATINGS:
        assert (properties[name].get("minimum"), properties[name].get("maximum")) == (1, 5), name
    assert set(components["ImprovementMetric"]["properties"]) == {"name", "timer", "service", "organization", "team",
                                                                  "category"}
    assert set(components["ImprovementResult"]["properties"]) == {"value", "period_start", "period_end", "outcome"}
    assert {"-score", "target_date", "-created_at"} <= set(next(
        p for p in schema["paths"]["/api/v1/improvements/"]["get"]["parameters"]
        if p["name"] == "ordering")["schema"]["enum"])


def test_team_of_the_metric_must_exist(api, agent):
    """A team deleted meanwhile is an unknown id, not a crash."""
    team = factories.TeamFactory()
    record = improvement(actor=agent)
    team_id = team.pk
    Team.objects.filter(pk=team_id).delete()
    refused(api.patch(url(record), {"metric": {"name": "mttr", "team": team_id}}, format="json"), "metric.team")
