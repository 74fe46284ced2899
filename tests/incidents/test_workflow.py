"""Incident-specific workflow rules through the API; every allowed and refused move is tested by
tests/incidents/test_kind.py (tests/support/ticket_api.TicketTransitionTests)."""

import pytest

from tests.support.api_factories import incident_in_state

pytestmark = pytest.mark.django_db

def transition(api, incident, to, **fields):
    return api.post(f"/api/v1/incidents/{incident.pk}/transition/", {"to": to, **fields}, format="json")


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
