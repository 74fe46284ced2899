"""Requests and tasks run every shared ticket-kind test (tests/support/ticket_kind.py). The plan's own "system"
moves (approval outcomes, starting a stage) are tested in test_fulfilment.py."""

from core.models import Organization
from servicerequests.models import ApproverType, CatalogItem
from servicerequests.workflow import PENDING
from tests.support import factories
from tests.support import request_factories as rf
from tests.support.ticket_access import HTML_OUTSIDER, HTML_STAFF, OUTSIDER, STAFF
from tests.support.ticket_kind import TicketKindTests

HIDDEN = {**OUTSIDER, "create": 403}


def approval_item():
    """One item that needs a named user's approval, offered to every organization there is now."""
    item = CatalogItem.objects.filter(name="Laptop (kind tests)").first() or rf.catalog_item(
        name="Laptop (kind tests)", approvals=[{"approver": ApproverType.USER,
                                                 "user": factories.manager(username="kind-approver")}])
    return rf.offer_to(item, *Organization.objects.all())


def make_request(actor=None, **data):
    return rf.service_request(actor=actor, item=approval_item(), **data)


class TestRequestKind(TicketKindTests):
    kind = "request"
    api_list_url = "/api/v1/requests/"
    list_url_name, detail_url_name, create_url_name = "requests:list", "requests:detail", "requests:create"
    make = staticmethod(make_request)
    update_payload = {"title": "Laptop for the new designer, 16 inch"}
    transition_values = {"cancel_reason": "Ordered twice", "on_hold_reason": "Waiting for stock",
                         "resolution_notes": "Handed over at the desk", "rejection_reason": "Not budgeted"}
    bad_payloads = [
        ({"description": "no item"}, "catalog_item"),
        ({"catalog_item": 999999}, "catalog_item"),
        ({"catalog_item": "abc"}, "catalog_item"),
        ({"catalog_item": 2**70}, "catalog_item"),
        ({"title": ["not", "a", "string"]}, "title"),
        ({"impact": 9}, "impact"),
        ({"urgency": "very"}, "urgency"),
        ({"channel": "pigeon"}, "channel"),
        ({"team": 999999}, "team"),
        ({"assignee": 2**70}, "assignee"),
        ({"configuration_item": 999999}, "configuration_item"),
        ({"variables": [1, 2]}, "variables"),
        ({"variables": "laptop"}, "variables"),
        ({"variables": {f"v{i}": i for i in range(201)}}, "variables"),
    ]
    api_list_max_queries = 11  # the spine, the item, approval stages and tasks, each one prefetch
    queue_max_queries = 16  # PostgreSQL's row estimate adds one
    expected_api_statuses = {
        **TicketKindTests.expected_api_statuses,
        # a requester cancels their own request while it awaits approval
        "requester": {"list": 200, "retrieve": 200, "create": 201, "update": 403, "transition": 200,
                      "comment": 201, "work_note": 403, "attach": 201, "audit": 403},
        # a user of no organization has no catalogue to order from
        "integration": {**OUTSIDER, "create": 400},
    }

    @property
    def create_payload(self):
        return {"catalog_item": approval_item().pk, "variables": {}, "title": "Laptop for the new designer"}


class TestTaskKind(TicketKindTests):
    kind = "task"
    api_list_url = "/api/v1/tasks/"
    list_url_name, detail_url_name, create_url_name = "tasks:list", "tasks:detail", "tasks:create"
    make = staticmethod(rf.task)
    update_payload = {"title": "Install the software and licence it"}
    transition_values = {"resolution_notes": "Installed version 12", "cancel_reason": "Not needed after all"}
    extra_bad_payloads = [
        ({"title": "x", "request": 999999}, "request"),
        ({"title": "x", "request": "REQ1"}, "request"),
    ]
    api_list_max_queries = 10
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

    @property
    def create_payload(self):
        return {"title": "Set up the laptop", "request": rf.service_request(requester=factories.requester()).pk}

    def in_state(self, state, actor=None, **data):
        """Pending (waiting for an earlier stage) is where the plan creates later stages' tasks."""
        if state == PENDING:
            return self.make(actor=actor or factories.agent(), state=PENDING, **data)
        return super().in_state(state, actor, **data)
