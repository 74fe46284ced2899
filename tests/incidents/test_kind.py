"""Incidents run every shared ticket-kind test (tests/support/ticket_kind.py)."""

from incidents.models import Category
from tests.support import factories
from tests.support.api_factories import FIELD_VALUES
from tests.support.ticket_kind import TicketKindTests


class TestIncidentKind(TicketKindTests):
    kind = "incident"
    api_list_url = "/api/v1/incidents/"
    list_url_name = "incidents:list"
    detail_url_name = "incidents:detail"
    create_url_name = "incidents:create"
    make = staticmethod(factories.incident)
    create_payload = {"title": "Mail is down", "description": "Nobody can send mail", "impact": 1, "urgency": 2}
    update_payload = {"title": "Mail is down for everyone", "urgency": 1}
    transition_values = FIELD_VALUES
    parent_field = "parent"
    api_list_max_queries = 8
    queue_max_queries = 15  # constant: badge, total (EXPLAIN + bounded count on PostgreSQL), bulk bar, saved views
    extra_bad_payloads = [
        ({"title": "x", "is_major": "maybe"}, "is_major"),
        ({"title": "x", "category": 999999}, "category"),
        ({"title": "x", "parent": 999999}, "parent"),
        ({"title": "x", "outage_start": "yesterday"}, "outage_start"),
    ]

    def list_row_data(self, agent, team, index):
        category = Category.objects.get_or_create(name=f"Category {index % 3}", parent=None)[0]
        return {**super().list_row_data(agent, team, index), "category": category}
