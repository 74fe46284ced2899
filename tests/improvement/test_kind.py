"""Improvements run every shared ticket-kind test (tests/support/ticket_kind.py); requesters never see them."""

from core import services as core_services
from improvement import services
from improvement.workflow import ACTION, BASELINE, CLOSED
from tests.support import factories, improvement_factories
from tests.support.ticket_access import HTML_OUTSIDER, HTML_STAFF, OUTSIDER, STAFF
from tests.support.ticket_base import TicketKindBase
from tests.support.ticket_kind import TicketKindTests

HIDDEN = {**OUTSIDER, "create": 403}
# What leaving a stage needs besides the fields its transition takes (improvement.stages).
STAGE_CHECKS = {BASELINE: {"assessment_notes": "Hardware faults miss their resolution target"},
                ACTION: {"action_notes": "Spares stocked at each site"}}


def make(actor=None, **data):
    """An improvement at its first stage; its metric names a service (the factory's), so it can move on. No
    affected services: those would add an audit entry of their own."""
    return improvement_factories.improvement(actor=actor, **{"services": [], **data})


class TestImprovementKind(TicketKindTests):
    kind = "improvement"
    api_list_url = "/api/v1/improvements/"
    list_url_name = "improvement:list"
    detail_url_name = "improvement:detail"
    create_url_name = "improvement:create"
    make = staticmethod(make)
    create_payload = {"title": "Same-day laptop repairs", "description": "Too many repairs breach",
                      "source": "staff_idea", "benefit": 4, "urgency": 2}
    update_payload = {"title": "Same-day laptop repairs at every site", "vision": "No one waits for a laptop"}
    transition_values = {"vision": "Laptops fixed the same day", "objective": "Staff productivity",
                         "metric_name": "sla_compliance", "target_value": 95.0, "target_date": "2030-06-30",
                         "plan": "Stock spares", "business_case": "Less downtime", "estimated_cost": "12000.00",
                         "annual_benefit": "30000.00", "effort_days": "15.0", "quarter": "2030Q1",
                         "evaluation": "Compliance rose", "follow_ups": "Review spares quarterly",
                         "withdrawn_reason": "Superseded by the laptop refresh"}
    api_list_max_queries = 7  # the caller, the rows, their prefetched relations
    queue_max_queries = 15  # the generic ticket queue (PostgreSQL adds its row estimate; the register may differ)
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
    # The spine's impact and urgency are not the API's: `urgency` is the assessment's rating (1 to 5).
    bad_payloads = [case for case in TicketKindBase.bad_payloads if case[1] != "impact"]
    extra_bad_payloads = [
        ({"title": "x", "urgency": 9}, "urgency"),
        ({"title": "x", "benefit": 0}, "benefit"),
        ({"title": "x", "source": "rumour"}, "source"),
        ({"title": "x", "services": [999999]}, "services"),
        ({"title": "x", "metric": {"name": "uptime"}}, "metric"),
        ({"title": "x", "metric": {"name": "mttr", "service": 999999}}, "metric"),
        ({"title": "x", "practices": ["astrology"]}, "practices"),
        ({"title": "x", "quarter": "Q3"}, "quarter"),
        ({"title": "x", "target_date": "soon"}, "target_date"),
    ]

    def in_state(self, state, actor=None, **data):
        """Stages walked by the transition engine as the base class does; what a stage needs beyond its
        transition's fields (the assessment, the actions taken) is written on the way, and on arrival."""
        ticket = self.make(actor=actor or factories.agent(), **data)
        for transition in self.path_to(state):
            if ticket.state in STAGE_CHECKS:
                ticket = services.update_improvement(ticket, None, STAGE_CHECKS[ticket.state])
            ticket = core_services.transition_ticket(ticket, None, transition.to, self.fields_for(transition))
        if state in STAGE_CHECKS:
            ticket = services.update_improvement(ticket, None, STAGE_CHECKS[state])
        return ticket

    def test_closed_improvements_say_how_they_closed(self):
        withdrawn = self.in_state(CLOSED)
        assert withdrawn.closure == "withdrawn"
