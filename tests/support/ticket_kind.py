"""Base test classes for ticket kinds, in the manner of NetBox's utilities/testing: a kind's test module
subclasses them and declares a factory, its URLs and the values its transitions need (see ticket_base.py).

    class TestIncidentKind(TicketKindTests):
        kind = "incident"
        api_list_url = "/api/v1/incidents/"
        list_url_name, detail_url_name, create_url_name = "incidents:list", "incidents:detail", "incidents:create"
        make = staticmethod(factories.incident)
        transition_values = {"resolution_code": "solved_permanently", ...}

The classes can also be used one by one (TicketApiTests, TicketTransitionTests, ...).
"""

from tests.support.ticket_access import TicketIsolationTests, TicketPermissionTests, TicketQueryCountTests
from tests.support.ticket_api import TicketApiTests, TicketTransitionTests
from tests.support.ticket_base import TicketKindBase


class TicketKindTests(TicketApiTests, TicketTransitionTests, TicketPermissionTests, TicketIsolationTests,
                      TicketQueryCountTests):
    """Every shared test of a ticket kind."""


__all__ = ["TicketKindBase", "TicketKindTests", "TicketApiTests", "TicketTransitionTests",
           "TicketPermissionTests", "TicketIsolationTests", "TicketQueryCountTests"]
