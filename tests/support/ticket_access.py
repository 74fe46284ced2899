"""Who may do what, what a requester never sees, and query-count bounds: tests every ticket kind inherits."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import services as core_services
from core.models import LinkKind
from tests.support import factories
from tests.support.cmdb_factories import CIFactory
from tests.support.ticket_base import TicketKindBase, upload

STAFF = {"list": 200, "retrieve": 200, "create": 201, "update": 200, "transition": 200, "comment": 201,
         "work_note": 201, "attach": 201, "audit": 200}
# A requester who may not see the ticket: it does not exist for them (404); they may still raise their own.
OUTSIDER = {**{action: 404 for action in STAFF}, "list": 200, "create": 201}
HTML_STAFF = {"list": 200, "detail": 200, "create": 200}
HTML_OUTSIDER = {"list": 302, "detail": 404, "create": 403}


class TicketPermissionTests(TicketKindBase):
    """The role x action matrix of the API and the HTML pages, as tables a kind may override."""

    expected_api_statuses = {
        "requester": {"list": 200, "retrieve": 200, "create": 201, "update": 403, "transition": 403,
                      "comment": 201, "work_note": 403, "attach": 201, "audit": 403},
        "colleague": OUTSIDER,
        "other_org_requester": OUTSIDER,
        "integration": OUTSIDER,
        "agent": STAFF, "manager": STAFF, "admin": STAFF,
        "anonymous": {action: 401 for action in STAFF},
    }
    expected_html_statuses = {
        "requester": {"list": 302, "detail": 200, "create": 403},
        "colleague": HTML_OUTSIDER, "other_org_requester": HTML_OUTSIDER, "integration": HTML_OUTSIDER,
        "agent": HTML_STAFF, "manager": HTML_STAFF, "admin": HTML_STAFF,
        "anonymous": {"list": 302, "detail": 302, "create": 302},
    }

    def matrix_transition(self):
        """The first move users take out of the initial state, with the fields it needs."""
        transition = next(t for t in self.workflow.allowed(self.workflow.initial).values() if t.permission != "system")
        return {"to": transition.to, **self.fields_for(transition)}

    def api_action(self, api, action, ticket):
        url = self.detail_api(ticket)
        requests = {
            "list": lambda: api.get(self.api_list_url),
            "retrieve": lambda: api.get(url),
            "create": lambda: api.post(self.api_list_url, self.create_payload, format="json"),
            "update": lambda: api.patch(url, self.update_payload, format="json"),
            "transition": lambda: api.post(f"{url}transition/", self.matrix_transition(), format="json"),
            "comment": lambda: api.post(f"{url}comments/", {"body": "Any news?"}, format="json"),
            "work_note": lambda: api.post(f"{url}comments/", {"body": "Suspect the firewall", "internal": True},
                                          format="json"),
            "attach": lambda: api.post(f"{url}attachments/", {"file": upload()}, format="multipart"),
            "audit": lambda: api.get(f"{url}audit/"),
        }
        return requests[action]()

    def ticket_for(self, role):
        home_org = factories.OrganizationFactory()
        user = self.user_for(role, home_org)
        owner = user if role == "requester" else factories.requester(organization=home_org)
        return user, self.make(actor=factories.agent(), requester=owner)

    def test_api_role_action_matrix(self, api_as, api_case):
        role, action, status = api_case
        user, ticket = self.ticket_for(role)
        response = self.api_action(api_as(user), action, ticket)
        assert response.status_code == status, response.content

    def test_html_role_page_matrix(self, html_case):
        role, page, status = html_case
        user, ticket = self.ticket_for(role)
        client = Client()
        if user is not None:
            client.force_login(user)
        names = {"list": (self.list_url_name, []), "detail": (self.detail_url_name, [ticket.pk]),
                 "create": (self.create_url_name, [])}
        name, args = names[page]
        assert client.get(reverse(name, args=args)).status_code == status


class TicketIsolationTests(TicketKindBase):
    """A requester sees nothing of another organization's tickets, even those linked to, parent of or child
    of their own: not in the API, not on the ticket page (fields, links, timeline), the queue or home."""

    @pytest.fixture
    def world(self):
        org, other_org = factories.OrganizationFactory(), factories.OrganizationFactory()
        me, stranger = factories.requester(organization=org), factories.requester(organization=other_org)
        agent = factories.agent()
        mine = self.make(actor=agent, requester=me, title="My own printer is broken")
        secrets = []

        def secret(role):
            ticket = self.make(actor=agent, requester=stranger, title=f"Confidential {role} of Globex")
            secrets.append(ticket)
            return ticket

        core_services.add_link(mine, agent, secret("link target"), LinkKind.RELATED)
        core_services.add_link(secret("link source"), agent, mine, LinkKind.CAUSED_BY)
        core_services.remove_link(core_services.add_link(mine, agent, secret("unlinked"), LinkKind.RELATED), agent)
        own = [mine]
        if self.parent_field:
            core_services.update_ticket(mine, agent, {self.parent_field: secret("parent")})
            my_parent = self.make(actor=agent, requester=me, title="My own outage")
            core_services.update_ticket(secret("child"), agent, {self.parent_field: my_parent})
            own.append(my_parent)
        return SimpleNamespace(me=me, agent=agent, own=own, secrets=secrets)

    def assert_nothing_secret(self, world, text, where):
        for ticket in world.secrets:
            assert ticket.number not in text, f"{where} names {ticket.number}"
            assert ticket.title not in text, f"{where} names “{ticket.title}”"

    def test_the_world_is_visible_to_staff(self, world, client):
        """The secrets really are linked: an agent sees them on the requester's ticket pages."""
        client.force_login(world.agent)
        pages = "".join(client.get(reverse(self.detail_url_name, args=[t.pk])).content.decode()
                        for t in world.own)
        for ticket in world.secrets:
            assert ticket.number in pages

    def own_visible(self, world):
        """The requester's own tickets they see: none of a kind hidden from requesters (problems)."""
        return world.own if self.registry.requester_visible else []

    def test_api_shows_nothing_of_other_organizations(self, world, api_as):
        api = api_as(world.me)
        listing = api.get(self.api_list_url)
        assert listing.status_code == 200
        assert {r["id"] for r in listing.json()["results"]} == {t.pk for t in self.own_visible(world)}
        self.assert_nothing_secret(world, listing.content.decode(), "the list")
        for secret in world.secrets:
            for q in (secret.number, secret.title):
                found = api.get(self.api_list_url, {"q": q})
                assert found.status_code == 200 and found.json()["results"] == [], q
            assert api.get(self.detail_api(secret)).status_code == 404
        for ticket in world.own:
            for sub in ("", "comments/", "audit/", "links/", "attachments/"):
                response = api.get(self.detail_api(ticket, sub))
                expected = (200, 403) if self.registry.requester_visible else (404,)
                assert response.status_code in expected, (sub, response.status_code)
                self.assert_nothing_secret(world, response.content.decode(), f"{ticket.number} {sub}")

    def test_html_pages_show_nothing_of_other_organizations(self, world, client):
        client.force_login(world.me)
        for ticket in world.own:
            response = client.get(reverse(self.detail_url_name, args=[ticket.pk]))
            if not self.registry.requester_visible:
                assert response.status_code == 404
                continue
            assert response.status_code == 200 and ticket.number in response.content.decode()
            self.assert_nothing_secret(world, response.content.decode(), f"the page of {ticket.number}")
        for url in (reverse(self.list_url_name), reverse("home")):
            response = client.get(url, follow=True)
            assert response.status_code == 200
            self.assert_nothing_secret(world, response.content.decode(), url)

    def test_requester_names_only_configuration_items_of_their_organization(self, api_as):
        if not self.registry.requester_visible:
            pytest.skip("requesters do not raise this kind")
        org = factories.OrganizationFactory()
        me = factories.requester(organization=org)
        api = api_as(me)
        foreign = CIFactory(organization=factories.OrganizationFactory())
        refused = api.post(self.api_list_url, {**self.create_payload, "configuration_item": foreign.pk},
                           format="json")
        assert refused.status_code == 400 and "configuration_item" in refused.json()
        for ci in (CIFactory(organization=org), CIFactory(organization=None)):
            body = api.post(self.api_list_url, {**self.create_payload, "configuration_item": ci.pk}, format="json")
            assert body.status_code == 201 and body.json()["configuration_item"] == ci.pk
        staff = api_as(factories.agent()).post(self.api_list_url, {**self.create_payload,
                                                                   "configuration_item": foreign.pk}, format="json")
        assert staff.status_code == 201


class TicketQueryCountTests(TicketKindBase):
    """The API list and the HTML queue issue the same, bounded number of queries for 5 rows as for 25."""

    api_list_max_queries = 10
    queue_max_queries = 12

    def list_row_data(self, agent, team, index):
        """Field values for a list row that fill every column (kinds add their own fields)."""
        return {"team": team, "assignee": agent if index % 2 else None,
                "organization": factories.OrganizationFactory(name=f"Org {index % 3}"),
                "requester": factories.requester(username=f"row-requester-{index % 4}"),
                "service": factories.ServiceFactory(name=f"Service {index % 4}"),
                "configuration_item": CIFactory(), "impact": 1 + index % 3, "urgency": 1 + index % 3}

    def grow(self, agent, team, upto):
        from core.models import Ticket

        for index in range(Ticket.objects.filter(kind=self.kind).count(), upto):
            self.make(actor=agent, title=f"Row {index}", **self.list_row_data(agent, team, index))

    def counts_at(self, fetch, agent, team, sizes=(5, 25)):
        """Queries of `fetch` at each list size; a row count, if any, is bounded (the queue's total, core.counting)."""
        counts = []
        for size in sizes:
            self.grow(agent, team, size)
            fetch()  # warm-up: an API token records its last use at most once a minute
            with CaptureQueriesContext(connection) as ctx:
                fetch()
            counts_rows = [q["sql"].upper() for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
            assert all("LIMIT" in sql for sql in counts_rows), counts_rows
            counts.append(len(ctx.captured_queries))
        return counts

    def test_api_list_query_count_is_constant_and_bounded(self, api_as):
        agent = factories.agent()
        team = factories.TeamFactory(members=[agent])
        api = api_as(agent)

        def fetch():
            assert api.get(self.api_list_url).status_code == 200

        few, many = self.counts_at(fetch, agent, team)
        assert few == many, f"{few} queries for 5 rows, {many} for 25"
        assert many <= self.api_list_max_queries, f"{many} queries, more than {self.api_list_max_queries}"

    def test_html_queue_query_count_is_constant_and_bounded(self, client):
        agent = factories.agent()
        team = factories.TeamFactory(members=[agent])
        client.force_login(agent)

        def fetch():
            assert client.get(reverse(self.list_url_name)).status_code == 200

        few, many = self.counts_at(fetch, agent, team)
        assert few == many, f"{few} queries for 5 rows, {many} for 25"
        assert many <= self.queue_max_queries, f"{many} queries, more than {self.queue_max_queries}"
