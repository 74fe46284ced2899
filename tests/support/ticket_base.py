"""What every ticket kind's test classes share: the declared attributes, the workflow derived from core.hooks,
users by role, and tickets in any state reached through the transition engine.

A kind's test module subclasses the classes of tests/support/ticket_kind.py and declares:

    kind                 "incident" (its entry in core.hooks.ticket_kinds gives prefix, model and workflow)
    api_list_url         "/api/v1/incidents/"
    list_url_name, detail_url_name, create_url_name    the HTML queue, ticket page and create form
    make                 staticmethod(fn(actor=None, **data) -> ticket), creating through the services
    create_payload       a valid API create body
    transition_values    a valid value for every field a transition may require or accept
    parent_field         the relation to a parent ticket of the same kind, or None
"""

from collections import deque

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import hooks, permissions
from core import services as core_services
from tests.support import factories


def upload(name="log.txt"):
    return SimpleUploadedFile(name, b"error 42", content_type="text/plain")


class TicketKindBase:
    """Declared attributes, derived workflow facts and helpers; no tests of its own."""

    pytestmark = [pytest.mark.django_db]

    kind = ""
    api_list_url = ""
    list_url_name = detail_url_name = create_url_name = ""
    make = None
    create_payload = {"title": "VPN drops every hour", "impact": 2, "urgency": 2}
    update_payload = {"title": "Changed by the ticket kind tests"}
    transition_values = {}
    parent_field = None
    # The spine's bad inputs; a kind adds its own in extra_bad_payloads.
    bad_payloads = [
        ({"description": "no title"}, "title"),
        ({"title": ["not", "a", "string"]}, "title"),
        ({"title": "x", "impact": 9}, "impact"),
        ({"title": "x", "urgency": "very"}, "urgency"),
        ({"title": "x", "channel": "pigeon"}, "channel"),
        ({"title": "x", "team": 999999}, "team"),
        ({"title": "x", "team": "abc"}, "team"),
        ({"title": "x", "assignee": 2**70}, "assignee"),
        ({"title": "x", "service": -1}, "service"),
        ({"title": "x", "configuration_item": 999999}, "configuration_item"),
    ]
    extra_bad_payloads = []

    # --- derived from core.hooks -------------------------------------------------------------------

    @property
    def registry(self):
        return hooks.ticket_kinds[self.kind]

    @property
    def workflow(self):
        return self.registry.workflow

    @property
    def prefix(self):
        return self.registry.prefix

    def allowed_moves(self):
        """The moves users take (a "system" move is taken only by the kind's own rules, tested with them)."""
        return [(src, dst) for src, targets in self.workflow.transitions.items() for dst, t in targets.items()
                if t.permission != "system"]

    def agent_moves(self, state, as_manager=False):
        """The targets an agent (a manager when `as_manager`) is offered from `state`."""
        return {to for to, t in self.workflow.allowed(state).items()
                if t.permission != "system" and (t.permission != "manager" or as_manager)}

    def refused_moves(self):
        states = list(self.workflow.states)
        return [(src, dst) for src in states for dst in states if dst not in self.workflow.allowed(src)]

    def moves_with_required_fields(self):
        return [(src, dst) for src, dst in self.allowed_moves() if self.workflow.get(src, dst).required]

    def fields_for(self, transition, optional=False):
        names = transition.required + (transition.optional if optional else ())
        missing = [n for n in names if n not in self.transition_values]
        assert not missing, f"{type(self).__name__}.transition_values lacks {missing}"
        return {name: self.transition_values[name] for name in names}

    def path_to(self, state):
        """The shortest list of transitions from the initial state to `state`."""
        start = self.workflow.initial
        paths, queue = {start: []}, deque([start])
        while queue:
            current = queue.popleft()
            for to, transition in self.workflow.allowed(current).items():
                if to not in paths:
                    paths[to] = paths[current] + [transition]
                    queue.append(to)
        assert state in paths, f"{state} cannot be reached from {start}"
        return paths[state]

    def in_state(self, state, actor=None, **data):
        """A new ticket moved to `state` by the transition engine (as the system, so any move is taken)."""
        ticket = self.make(actor=actor or factories.agent(), **data)
        for transition in self.path_to(state):
            ticket = core_services.transition_ticket(ticket, None, transition.to, self.fields_for(transition))
        return ticket

    def actor_for(self, transition):
        return factories.manager() if transition.permission == "manager" else factories.agent()

    # --- URLs --------------------------------------------------------------------------------------

    def detail_api(self, ticket, sub=""):
        return f"{self.api_list_url}{ticket.pk}/{sub}"

    # --- users by role -----------------------------------------------------------------------------

    ROLES = ("requester", "colleague", "other_org_requester", "agent", "manager", "admin", "integration",
             "anonymous")

    def user_for(self, role, home_org):
        """requester: the ticket's own requester; colleague: same organization (which does not share its
        tickets); other_org_requester: a requester of another organization."""
        if role == "anonymous":
            return None
        if role in ("requester", "colleague"):
            return factories.requester(organization=home_org)
        if role == "other_org_requester":
            return factories.requester(organization=factories.OrganizationFactory())
        if role == "integration":
            return factories.UserFactory(role=permissions.INTEGRATION)
        return getattr(factories, role)()

    # --- parametrization from the declared tables --------------------------------------------------

    def pytest_generate_tests(self, metafunc):
        tables = {
            "allowed_move": (self.allowed_moves, lambda m: f"{m[0]}->{m[1]}"),
            "refused_move": (self.refused_moves, lambda m: f"{m[0]}->{m[1]}"),
            "required_move": (self.moves_with_required_fields, lambda m: f"{m[0]}->{m[1]}"),
            "bad_payload": (lambda: self.bad_payloads + self.extra_bad_payloads, lambda p: p[1]),
            "api_case": (lambda: [(r, a, s) for r, row in self.expected_api_statuses.items()
                                  for a, s in row.items()], lambda c: f"{c[0]}-{c[1]}"),
            "html_case": (lambda: [(r, p, s) for r, row in self.expected_html_statuses.items()
                                   for p, s in row.items()], lambda c: f"{c[0]}-{c[1]}"),
        }
        for name, (values, ids) in tables.items():
            if name in metafunc.fixturenames:
                cases = values()
                metafunc.parametrize(name, cases, ids=[ids(c) for c in cases])
