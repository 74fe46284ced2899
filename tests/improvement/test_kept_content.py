"""What a record already stands on stays true: a passed step's content cannot be emptied, a target must be one the
metric can take, a new target re-judges the measured result, the register ranks over every open record, the
SLA report link shows the record's own figure, and money spent before a withdrawal stays spent."""

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from improvement import dashboard, queries, services
from improvement.models import Outcome
from tests.support import factories
from tests.support.improvement_factories import improvement

from .test_measuring import advance_to, clock, desk, fix, history, record  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return factories.manager(username="cir-lead")


def test_a_passed_step_s_content_cannot_be_emptied(manager):
    imp = improvement(manager, "result")
    for data in ({"target_value": None}, {"quarter": ""}, {"plan": ""}, {"vision": ""}, {"estimated_cost": None}):
        with pytest.raises(ValidationError) as error:
            services.update_improvement(imp, manager, data)
        assert set(error.value.message_dict) == set(data)
    services.update_improvement(imp, manager, {"lessons": "", "swot_threats": ""})  # never needed: fine


@pytest.mark.parametrize("value", [150.0, -3.0])
def test_a_target_the_metric_cannot_take_is_refused_at_any_step(manager, value):
    imp = improvement(manager, "result")
    with pytest.raises(ValidationError) as error:
        services.update_improvement(imp, manager, {"target_value": value})
    assert set(error.value.message_dict) == {"target_value"}


def test_a_new_target_re_judges_the_measured_result(clock, desk):  # noqa: F811
    history(clock, desk)
    imp = advance_to(record(clock, desk), desk["manager"], "action", 75.0, clock)
    for hours in (1, 2, 3, 1, 7):
        fix(clock, desk, hours, dt.date(2026, 3, 3))
    clock.now = dt.datetime(2026, 3, 4, 9, tzinfo=dt.timezone.utc)
    imp = services.measure_now(imp, desk["manager"])
    assert (imp.result_value, imp.outcome) == (80.0, Outcome.ACHIEVED)
    imp = services.update_improvement(imp, desk["manager"], {"target_value": 90.0})
    assert imp.outcome == Outcome.PARTLY_ACHIEVED
    assert AuditEntry.objects.filter(ticket_id=imp.pk, changes__outcome=["achieved", "partly_achieved"]).exists()


def test_the_report_link_shows_the_record_s_own_figure(clock, desk, api_as):  # noqa: F811
    history(clock, desk)
    other = factories.ServiceFactory(name="Printers")
    for hours in (1, 1, 1):
        fix(clock, {**desk, "service": other}, hours, dt.date(2026, 2, 20))
    imp = record(clock, desk)
    link = dashboard.report_url(imp, imp.baseline_start, imp.baseline_end)
    query = dict(parse_qsl(urlsplit(link).query))
    response = api_as(desk["manager"]).get("/api/v1/reports/compliance/", query)
    assert response.status_code == 200
    assert response.json()["total"]["compliance"] == imp.baseline_value == 40.0


def test_the_api_register_ranks_over_every_open_record(api_as, manager):
    shown = factories.ServiceFactory(name="Shown")
    improvement(manager, "vision", benefit=5, urgency_rating=5, alignment=5)
    improvement(manager, "vision", benefit=4, urgency_rating=4, alignment=4)
    mine = improvement(manager, "vision", service=shown, benefit=1, urgency_rating=1, alignment=1)
    rows = api_as(manager).get("/api/v1/improvements/register/", {"services": shown.pk}).json()["results"]
    assert [(row["id"], row["rank"]) for row in rows] == [(mine.pk, 3)]


def test_money_spent_before_a_withdrawal_stays_committed(manager):
    spent = improvement(manager, "action")
    services.transition_improvement(spent, manager, "closed", {"withdrawn_reason": "Superseded"})
    planned = improvement(manager, "plan", quarter="2027Q1", estimated_cost="500.00", effort_days="2.0")
    services.transition_improvement(planned, manager, "closed", {"withdrawn_reason": "No budget"})
    row = queries.committed_by_quarter(["2027Q1"])[0]
    assert row["committed_cost"] == Decimal("12000.00") and row["planned_cost"] == 0
