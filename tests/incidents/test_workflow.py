"""Every allowed and every refused transition of incidents.workflow.WORKFLOW, through the API."""

import pytest

from incidents.workflow import STATES, WORKFLOW
from tests.support.api_factories import FIELD_VALUES, incident_in_state

pytestmark = pytest.mark.django_db

ALLOWED = [(src, dst) for src, targets in WORKFLOW.transitions.items() for dst in targets]
REFUSED = [(src, dst) for src in STATES for dst in STATES if dst not in WORKFLOW.allowed(src)]
WITH_REQUIRED = [(src, dst) for src, dst in ALLOWED if WORKFLOW.get(src, dst).required]


def transition(api, incident, to, **fields):
    return api.post(f"/api/v1/incidents/{incident.pk}/transition/", {"to": to, **fields}, format="json")


@pytest.mark.parametrize("src, dst", ALLOWED)
def test_allowed_transition(agent_user, agent_api, src, dst):
    incident = incident_in_state(src, actor=agent_user)
    fields = {name: FIELD_VALUES[name] for name in WORKFLOW.get(src, dst).required}
    response = transition(agent_api, incident, dst, **fields)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == dst and body["version"] == incident.version + 1
    assert {t["to"] for t in body["allowed_transitions"]} == set(WORKFLOW.allowed(dst))


@pytest.mark.parametrize("src, dst", REFUSED)
def test_refused_transition(agent_user, agent_api, src, dst):
    incident = incident_in_state(src, actor=agent_user)
    response = transition(agent_api, incident, dst, **{k: v for k, v in FIELD_VALUES.items()
                                                      if k in ("resolution_code", "resolution_notes")})
    assert response.status_code == 400
    assert "to" in response.json()
    incident.refresh_from_db()
    assert incident.state == src


@pytest.mark.parametrize("src, dst", WITH_REQUIRED)
def test_missing_required_fields_are_named(agent_user, agent_api, src, dst):
    incident = incident_in_state(src, actor=agent_user)
    response = transition(agent_api, incident, dst)
    assert response.status_code == 400
    assert set(response.json()) == set(WORKFLOW.get(src, dst).required)


def test_unknown_state_and_bad_choice_are_400(agent_user, agent_api):
    incident = incident_in_state("new", actor=agent_user)
    assert "to" in transition(agent_api, incident, "teleported").json()
    response = transition(agent_api, incident, "resolved", resolution_code="magic", resolution_notes="x")
    assert response.status_code == 400 and "resolution_code" in response.json()
    response = transition(agent_api, incident, "in_progress", resolution_notes=["wrong", "type"])
    assert response.status_code == 400


def test_reopen_counts(agent_user, agent_api):
    incident = incident_in_state("resolved", actor=agent_user)
    body = transition(agent_api, incident, "in_progress").json()
    assert body["reopen_count"] == 1 and body["resolved_at"] is None
