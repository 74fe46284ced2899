"""A change's SLA timer: running while the change is worked on, paused while it waits for authorisation or its
window, stopped when implemented; a cancelled change's timer is cancelled (it counts nowhere)."""

import pytest

from changes import services
from core import approvals
from slm.models import SLATimer
from tests.support import change_factories, factories
from tests.support.slm_factories import TargetFactory

pytestmark = pytest.mark.django_db


def timer(change):
    return SLATimer.objects.get(ticket_id=change.pk)


def test_timer_pauses_for_authorisation_and_the_window_and_stops_when_implemented():
    TargetFactory(ticket_kind="change", target_seconds=5 * 86400, name="Change implemented in 5 days")
    approver = factories.manager()
    model = change_factories.change_model(steps=[{"authority": "user", "user": approver}])
    agent = factories.agent()
    change = change_factories.change(actor=agent, model=model)
    assert timer(change).state == "running"
    change = services.transition_change(change, agent, "authorize")
    assert timer(change).state == "paused"
    approvals.decide(change.approvals.get(), approver, True, "Fine")
    change.refresh_from_db()
    assert change.state == "scheduled" and timer(change).state == "paused"
    change = services.transition_change(change, agent, "implement")
    assert timer(change).state == "running"
    services.transition_change(change, agent, "review", {"outcome": "successful"})
    assert timer(change).state == "stopped"


def test_a_cancelled_change_counts_nowhere():
    TargetFactory(ticket_kind="change", target_seconds=86400)
    agent = factories.agent()
    change = change_factories.change(actor=agent)
    services.transition_change(change, agent, "cancelled", {"cancel_reason": "Not needed"})
    assert timer(change).state == "cancelled"
