"""Problems run every shared ticket-kind test (tests/support/ticket_kind.py); requesters never see them."""

from incidents.models import Category
from tests.support import factories
from tests.support.ticket_access import HTML_OUTSIDER, HTML_STAFF, OUTSIDER, STAFF
from tests.support.ticket_kind import TicketKindTests

HIDDEN = {**OUTSIDER, "create": 403}


class TestProblemKind(TicketKindTests):
    kind = "problem"
    api_list_url = "/api/v1/problems/"
    list_url_name = "problems:list"
    detail_url_name = "problems:detail"
    create_url_name = "problems:create"
    make = staticmethod(factories.problem)
    create_payload = {"title": "Mail server drops connections", "description": "Seen in 12 incidents",
                      "impact": 1, "urgency": 2, "origin": "trend_analysis"}
    update_payload = {"title": "Mail server drops TLS connections", "root_cause": "Expired intermediate cert"}
    transition_values = {"resolution_code": "fix_applied", "resolution_notes": "Certificate chain renewed",
                         "cancel_reason": "Duplicate of an older problem"}
    api_list_max_queries = 11  # incidents' spine + linked incident ids + the two affected lists
    queue_max_queries = 15
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
        ({"title": "x", "known_error": True}, "known_error"),
        ({"title": "x", "incidents": [999999]}, "incidents"),
        ({"title": "x", "incidents": "INC1"}, "incidents"),
        ({"title": "x", "incidents": ["١٢"]}, "incidents"),
        ({"title": "x", "origin": "rumour"}, "origin"),
        ({"title": "x", "category": 999999}, "category"),
        ({"title": "x", "review_date": "soon"}, "review_date"),
    ]

    def list_row_data(self, agent, team, index):
        category = Category.objects.get_or_create(name=f"Category {index % 3}", parent=None)[0]
        return {**super().list_row_data(agent, team, index), "category": category,
                "incidents": [factories.incident(actor=agent, title=f"Symptom {index}")]}
