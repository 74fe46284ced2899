"""Helpers for API tests: incidents in a given state, reached through the services as the product does."""

from incidents import services, workflow
from tests.support import factories

RESOLUTION = {"resolution_code": "solved_permanently", "resolution_notes": "Replaced the toner"}

# How to reach each state from New, one service transition at a time.
PATHS = {
    workflow.NEW: [],
    workflow.IN_PROGRESS: [(workflow.IN_PROGRESS, {})],
    workflow.ON_HOLD: [(workflow.ON_HOLD, {"on_hold_reason": "awaiting_caller"})],
    workflow.RESOLVED: [(workflow.RESOLVED, RESOLUTION)],
    workflow.CLOSED: [(workflow.RESOLVED, RESOLUTION), (workflow.CLOSED, {})],
    workflow.CANCELLED: [(workflow.CANCELLED, {"cancel_reason": "Raised twice by mistake"})],
}

# Valid values for every field a transition may require.
FIELD_VALUES = {"on_hold_reason": "awaiting_vendor", "cancel_reason": "Raised twice by mistake", **RESOLUTION}


def incident_in_state(state, actor=None, **data):
    actor = actor or factories.agent()
    incident = factories.incident(actor=actor, **data)
    for to, fields in PATHS[state]:
        incident = services.transition_incident(incident, actor, to, fields)
    return incident


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]
