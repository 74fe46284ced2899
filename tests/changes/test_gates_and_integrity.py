"""What keeps a change honest: nobody authorises their own change, a normal change needs its model and lead
time, a standard change is done as its template says, actual times really happened, and the ticket's own CI
counts among the change's CIs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from changes import services
from changes.models import Change, ChangeCI
from core.workflow import TransitionError
from tests.support import change_factories, factories
from tests.support.cmdb_factories import CIClassFactory, CIFactory

pytestmark = pytest.mark.django_db


def test_whoever_raised_or_implements_a_change_is_never_its_approver(api_as):
    boss = factories.manager()
    team = factories.TeamFactory(members=[boss], manager=boss)
    model = change_factories.change_model(steps=[{"authority": "team_manager"}, {"authority": "user", "user": boss}])
    change = change_factories.change(actor=boss, model=model, team=team)
    response = api_as(boss).post(f"/api/v1/changes/{change.pk}/transition/", {"to": "authorize"}, format="json")
    assert response.status_code == 400 and "to" in response.json()  # every step would ask only the raiser
    assert not change.approvals.exists()


def test_a_normal_change_without_a_model_cannot_ask_for_authorisation(api_as):
    change = change_factories.change(title="No model")
    Change.objects.filter(pk=change.pk).update(model=None)
    response = api_as(factories.agent()).post(f"/api/v1/changes/{change.pk}/transition/", {"to": "authorize"},
                                              format="json")
    assert response.status_code == 400 and "no change model" in response.json()["to"][0]
    assert Change.objects.get(pk=change.pk).authorised_at is None


def test_the_models_lead_time_is_kept(api_as):
    model = change_factories.change_model(name="Careful", lead_time_days=3)
    soon = timezone.now() + timedelta(days=1)
    change = change_factories.change(model=model, planned_start=soon, planned_end=soon + timedelta(hours=1))
    response = api_as(factories.agent()).post(f"/api/v1/changes/{change.pk}/transition/", {"to": "authorize"},
                                              format="json")
    assert response.status_code == 400 and "3 days" in response.json()["to"][0]


def test_a_standard_change_keeps_its_templates_procedure(api_as):
    printers = CIClassFactory(name="printer_class")
    spooler = CIFactory(name="prn-01", ci_class=printers)
    switch = CIFactory(name="core-switch")
    template = change_factories.template()
    template.ci_classes.add(printers)
    api = api_as(factories.agent())
    refused = api.post("/api/v1/changes/", {"type": "standard", "template": template.pk,
                                            "configuration_items": [switch.pk]}, format="json")
    assert refused.status_code == 400 and "configuration_items" in refused.json()
    made = api.post("/api/v1/changes/", {"type": "standard", "template": template.pk,
                                         "configuration_items": [spooler.pk], "implementation_plan": "My own"},
                    format="json")
    assert made.status_code == 201 and made.json()["implementation_plan"] == template.implementation_plan
    url = f"/api/v1/changes/{made.json()['id']}/"
    for field, value in (("implementation_plan", "Other"), ("configuration_items", [switch.pk])):
        response = api.patch(url, {field: value}, format="json")
        assert response.status_code == 400 and field in response.json()
    moved = api.patch(url, {"planned_start": (timezone.now() + timedelta(days=2)).isoformat(),
                            "planned_end": (timezone.now() + timedelta(days=2, hours=1)).isoformat()}, format="json")
    assert moved.status_code == 200


def test_actual_times_happened_and_end_after_start():
    agent = factories.agent()
    change = change_factories.change(actor=agent)
    Change.objects.filter(pk=change.pk).update(state="scheduled", authorised_at=timezone.now())
    with pytest.raises(TransitionError) as future:
        services.transition_change(change, agent, "implement", {"actual_start": timezone.now() + timedelta(days=30)})
    assert "actual_start" in future.value.errors
    change = services.transition_change(change, agent, "implement")
    with pytest.raises(TransitionError) as backwards:
        services.transition_change(change, agent, "review", {"outcome": "successful",
                                                             "actual_end": timezone.now() - timedelta(days=30)})
    assert "actual_end" in backwards.value.errors
    assert Change.objects.get(pk=change.pk).state == "implement"


def test_the_tickets_own_ci_is_one_of_the_changes_cis():
    router = CIFactory(name="edge-router")
    change = change_factories.change(configuration_item=router)
    assert ChangeCI.objects.filter(change=change, configuration_item=router).exists()
    other = CIFactory(name="edge-router-2")
    services.update_change(Change.objects.get(pk=change.pk), factories.agent(), {"configuration_item": other})
    assert set(ChangeCI.objects.filter(change=change).values_list("configuration_item__name", flat=True)) >= {
        "edge-router-2"}
