"""Each stage's required content: moving on without it is refused with a TransitionError naming exactly what is
missing; withdrawing needs a reason; a closed record refuses every change."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import services as core_services
from core.workflow import TransitionError
from improvement import services
from improvement.models import Improvement
from tests.support import factories
from tests.support.improvement_factories import CONTENT, improvement

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return factories.manager(username="stage-manager")


def refused(imp, actor, data=None):
    """The fields a refused move to the next stage names."""
    with pytest.raises((TransitionError, ValidationError)) as error:
        services.advance(imp, actor, data)
    return set(getattr(error.value, "errors", None) or error.value.message_dict)


def reload(imp):
    return Improvement.objects.get(pk=imp.pk)


def test_vision_needs_the_vision_its_objective_and_a_metric(manager):
    service = factories.ServiceFactory(name="Mail")
    imp = services.create_improvement(manager, {"title": "Faster mail fixes", "metric_service": service})
    assert refused(imp, manager) == {"vision", "objective", "metric_name"}
    assert refused(imp, manager, {"vision": "Mail always works"}) == {"objective", "metric_name"}
    assert reload(imp).vision == ""  # a refused move writes nothing
    content = {"vision": "Mail always works", "objective": "Staff productivity", "metric_name": "availability"}
    assert refused(reload(imp), manager, {**content, "metric_service": None}) == {"metric_service"}
    imp = services.advance(reload(imp), manager, content)
    assert imp.state == "baseline" and imp.baseline_captured_at is not None


def test_vision_needs_a_measurable_scope(manager):
    imp = services.create_improvement(manager, {"title": "Fewer incidents"})
    assert refused(imp, manager, {**CONTENT["vision"], "metric_name": "incident_volume"}) == {"metric_service"}
    team = factories.TeamFactory(name="Network")
    assert refused(reload(imp), manager, {**CONTENT["vision"], "metric_name": "availability",
                                          "metric_team": team}) == {"metric_service", "metric_team"}
    assert refused(reload(imp), manager, {**CONTENT["vision"], "metric_name": "mttr", "metric_team": team,
                                          "metric_timer": "response"}) == {"metric_timer"}
    imp = services.advance(reload(imp), manager, {**CONTENT["vision"], "metric_name": "incident_volume",
                                                  "metric_team": team})
    assert imp.state == "baseline" and imp.baseline_value == 0


def test_baseline_needs_an_assessment(manager):
    imp = improvement(manager, "baseline")
    assert refused(imp, manager) == {"assessment_notes"}
    assert refused(reload(imp), manager, {"swot_strengths": "   "}) == {"assessment_notes"}
    imp = services.advance(reload(imp), manager, {"scorecard_customer": "Complaints about laptop repairs"})
    assert imp.state == "target"


def test_target_needs_a_value_and_a_date(manager):
    imp = improvement(manager, "target")
    assert refused(imp, manager) == {"target_value", "target_date"}
    later = timezone.localdate() + dt.timedelta(days=30)
    assert refused(reload(imp), manager, {"target_date": later}) == {"target_value"}
    assert refused(reload(imp), manager, {"target_date": later, "target_value": 120}) == {
        "target_value"}  # compliance is 0-100 %
    assert services.advance(reload(imp), manager, {"target_date": later, "target_value": 90}).state == "plan"


def test_plan_needs_the_plan_and_its_business_case(manager):
    imp = improvement(manager, "plan")
    assert refused(imp, manager) == {"plan", "business_case", "estimated_cost", "annual_benefit", "effort_days",
                                     "quarter"}
    with pytest.raises(ValidationError) as error:
        services.advance(reload(imp), manager, {"quarter": "next spring"})
    assert set(error.value.message_dict) == {"quarter"}
    imp = services.advance(reload(imp), manager, CONTENT["plan"])
    assert imp.state == "action" and imp.action_started_on == timezone.localdate()
    assert str(imp.payback_months) == "4.8"  # 12000 x 12 / 30000


def test_action_needs_some_action_recorded_and_every_task_done(manager):
    imp = improvement(manager, "action")
    assert refused(imp, manager) == {"tasks"}
    task = services.save_task(reload(imp), manager, {"title": "Order spare laptops"})
    services.save_task(reload(imp), manager, {"title": "Stock them at each site", "done": True})
    with pytest.raises(TransitionError) as error:
        services.advance(reload(imp), manager)
    assert set(error.value.errors) == {"tasks"} and "Order spare laptops" in str(error.value.errors["tasks"])
    services.save_task(reload(imp), manager, {"done": True}, task)
    assert services.advance(reload(imp), manager).state == "result"


def test_a_linked_change_or_problem_is_action_recorded(manager):
    imp = improvement(manager, "action")
    problem = factories.problem(factories.agent(username="stage-agent"))
    core_services.add_link(problem, manager, imp, "related")
    assert services.advance(reload(imp), manager).state == "result"


def test_result_needs_the_measured_result_and_an_evaluation(manager):
    imp = improvement(manager, "result")
    assert imp.result_measured_at is not None  # measured on entering the stage
    assert refused(imp, manager) == {"evaluation"}
    Improvement.objects.filter(pk=imp.pk).update(result_measured_at=None)  # as if never measured
    assert refused(reload(imp), manager, CONTENT["result"]) == {"result"}
    services.measure_now(reload(imp), manager)
    assert services.advance(reload(imp), manager, CONTENT["result"]).state == "momentum"


def test_not_there_yet_goes_back_to_action_without_checks(manager):
    imp = improvement(manager, "result")
    imp = services.transition_improvement(imp, manager, "action")
    assert imp.state == "action"


def test_momentum_needs_follow_ups_and_closing_completes(manager):
    imp = improvement(manager, "momentum")
    assert refused(imp, manager) == {"follow_ups"}
    imp = services.advance(reload(imp), manager, CONTENT["momentum"])
    assert (imp.state, imp.closure) == ("closed", "completed") and imp.closed_at is not None


@pytest.mark.parametrize("stage", ["vision", "plan", "action", "result"])
def test_withdrawing_needs_a_reason(manager, stage):
    imp = improvement(manager, stage)
    with pytest.raises(TransitionError) as error:
        services.transition_improvement(imp, manager, "closed")
    assert set(error.value.errors) == {"withdrawn_reason"}
    imp = services.transition_improvement(reload(imp), manager, "closed", {"withdrawn_reason": "Superseded"})
    assert (imp.state, imp.closure, imp.withdrawn_reason) == ("closed", "withdrawn", "Superseded")


def test_momentum_cannot_be_withdrawn(manager):
    imp = improvement(manager, "momentum")
    with pytest.raises(TransitionError) as error:
        services.transition_improvement(imp, manager, "closed", {"withdrawn_reason": "Bored"})
    assert set(error.value.errors) == {"withdrawn_reason"}


def test_a_closed_record_refuses_edits(manager):
    imp = improvement(manager, "closed")
    version = reload(imp).version
    with pytest.raises(ValidationError) as error:
        services.update_improvement(reload(imp), manager, {"title": "Renamed"})
    assert set(error.value.message_dict) == {"stage"}
    with pytest.raises(ValidationError):
        services.update_improvement(reload(imp), manager, {"services": []})
    with pytest.raises(ValidationError):
        services.save_task(reload(imp), manager, {"title": "One more thing"})
    with pytest.raises(TransitionError) as moved:
        services.advance(reload(imp), manager, {})
    assert set(moved.value.errors) == {"stage"}
    with pytest.raises(TransitionError):
        services.measure_now(reload(imp), manager)
    assert reload(imp).version == version and reload(imp).title == "Same-day laptop repairs"
