"""Changes run every shared ticket-kind test (tests/support/ticket_kind.py); requesters never see them."""

from django.utils import timezone

from changes.models import Change
from changes.workflow import IMPLEMENT, REVIEW, SCHEDULED
from tests.support import change_factories
from tests.support.ticket_access import HTML_OUTSIDER, HTML_STAFF, OUTSIDER, STAFF
from tests.support.ticket_kind import TicketKindTests

HIDDEN = {**OUTSIDER, "create": 403}


class TestChangeKind(TicketKindTests):
    kind = "change"
    api_list_url = "/api/v1/changes/"
    list_url_name = "changes:list"
    detail_url_name = "changes:detail"
    create_url_name = "changes:create"
    make = staticmethod(change_factories.change)
    create_payload = {"title": "Replace the core switch", "description": "End of support", "impact": 1,
                      "urgency": 2, "type": "normal", "implementation_plan": "Swap", "backout_plan": "Swap back",
                      "planned_start": "2030-01-05T22:00:00Z", "planned_end": "2030-01-05T23:30:00Z"}
    update_payload = {"title": "Replace the core switch (stack)", "test_plan": "Ping every VLAN"}
    transition_values = {"cancel_reason": "No longer needed", "rejection_reason": "Too risky",
                         "outcome": "successful", "outcome_notes": "Done in 20 minutes",
                         "actual_start": "2026-01-05T22:00:00Z", "actual_end": "2026-01-05T22:20:00Z",
                         "review_notes": "Went to plan"}
    api_list_max_queries = 12
    queue_max_queries = 16  # PostgreSQL's row estimate (EXPLAIN) is one more
    expected_api_statuses = {
        "requester": HIDDEN, "colleague": HIDDEN, "other_org_requester": HIDDEN, "integration": HIDDEN,
        "agent": STAFF, "manager": STAFF, "admin": STAFF,
        "anonymous": {action: 401 for action in STAFF},
    }
    expected_html_statuses = {
        "requester": HTML_OUTSIDER, "colleague": HTML_OUTSIDER, "other_org_requester": HTML_OUTSIDER,
        "integration": HTML_OUTSIDER, "agent": HTML_STAFF, "manager": HTML_STAFF, "admin": HTML_STAFF,
        "anonymous": {"list": 302, "detail": 302, "create": 302},
    }
    extra_bad_payloads = [
        ({"title": "x", "type": "whenever"}, "type"),
        ({"title": "x", "planned_start": "2030-01-05T22:00:00Z", "planned_end": "2030-01-05T21:00:00Z"},
         "planned_end"),
        ({"title": "x", "planned_start": "tomorrow"}, "planned_start"),
        ({"title": "x", "type": "standard"}, "template"),
        ({"title": "x", "template": 999999}, "template"),
        ({"title": "x", "configuration_items": [999999]}, "configuration_items"),
    ]

    def in_state(self, state, actor=None, **data):
        """Past authorisation a change is authorised (the approval outcome the engine alone does not record)."""
        ticket = super().in_state(state, actor, **data)
        if state in (SCHEDULED, IMPLEMENT, REVIEW):
            Change.objects.filter(pk=ticket.pk).update(authorised_at=timezone.now())
        return ticket
