"""API CRUD and workflow tests every ticket kind inherits (see tests/support/ticket_base.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.api.pagination import TicketCursorPagination
from core.models import AuditEntry
from tests.support import factories
from tests.support.ticket_base import TicketKindBase


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


class TicketApiTests(TicketKindBase):
    """List (bounded, keyset pages), create, retrieve, update with If-Match / version, bad input."""

    def test_api_create_numbers_and_audits(self, api_as):
        api = api_as(factories.agent())
        body = ok(api.post(self.api_list_url, self.create_payload, format="json"), 201)
        assert re.fullmatch(rf"{self.prefix}\d{{7}}", body["number"]), body["number"]
        assert body["kind"] == self.kind and body["state"] == self.workflow.initial and body["version"] == 1
        entry = AuditEntry.objects.get(ticket_id=body["id"], action="created")
        assert entry.changes["title"][1] == self.create_payload["title"]

    def test_api_retrieve_gives_etag_and_allowed_transitions(self, api_as):
        agent = factories.agent()
        ticket = self.make(actor=agent)
        response = api_as(agent).get(self.detail_api(ticket))
        body = ok(response)
        assert body["id"] == ticket.pk and body["number"] == ticket.number
        assert response["ETag"] == f'"{ticket.version}"'
        assert {t["to"] for t in body["allowed_transitions"]} == self.agent_moves(ticket.state)

    def test_api_unknown_ids_are_404(self, api_as):
        api = api_as(factories.agent())
        assert api.get(f"{self.api_list_url}999999/").status_code == 404
        assert api.get(f"{self.api_list_url}{2**70}/").status_code == 404

    def test_api_update_honours_if_match_and_version(self, api_as):
        agent = factories.agent()
        ticket = self.make(actor=agent)
        api, url, version = api_as(agent), self.detail_api(ticket), ticket.version
        response = api.patch(url, self.update_payload, format="json", HTTP_IF_MATCH=f'"{version}"')
        body = ok(response)
        assert body["version"] == version + 1 and response["ETag"] == f'"{version + 1}"'
        for name, value in self.update_payload.items():
            assert body[name] == value
        stale = api.patch(url, {"title": "Stale write"}, format="json", HTTP_IF_MATCH=f'"{version}"')
        assert stale.status_code == 412 and stale.json()["current_version"] == version + 1
        conflict = api.patch(url, {"title": "Stale write", "version": version}, format="json")
        assert conflict.status_code == 409 and conflict.json()["current_version"] == version + 1
        ticket.refresh_from_db()
        assert ticket.title != "Stale write"
        assert AuditEntry.objects.filter(ticket_id=ticket.pk, action="updated").count() == 1

    def test_api_bad_input_is_400_with_field_messages(self, api_as, bad_payload):
        payload, field = bad_payload
        model = self.registry.model
        before = model.objects.count()
        response = api_as(factories.agent()).post(self.api_list_url, payload, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert model.objects.count() == before

    def test_api_list_pages_by_keyset_and_is_bounded(self, api_as):
        agent = factories.agent()
        made = [self.make(actor=agent, title=f"Row {i}") for i in range(3)]
        api = api_as(agent)
        first = ok(api.get(self.api_list_url, {"page_size": 2}))
        assert [r["id"] for r in first["results"]] == [made[2].pk, made[1].pk] and first["next"]
        second = ok(api.get(first["next"]))
        assert [r["id"] for r in second["results"]] == [made[0].pk] and not second["next"] and second["previous"]
        with CaptureQueriesContext(connection) as ctx:
            ok(api.get(self.api_list_url, {"page_size": 10**6}))
        limits = [int(n) for q in ctx.captured_queries for n in re.findall(r"LIMIT (\d+)", q["sql"])]
        assert limits and max(limits) <= TicketCursorPagination.max_page_size + 1
        assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
        assert api.get(self.api_list_url, {"cursor": "not-a-cursor"}).status_code == 400
        assert api.get(self.api_list_url, {"page_size": "many"}).status_code == 400


class TicketTransitionTests(TicketKindBase):
    """Every move of the kind's workflow table is taken; every other move is refused with 400, never 500."""

    def transition(self, api, ticket, to, **fields):
        return api.post(self.detail_api(ticket, "transition/"), {"to": to, **fields}, format="json")

    def test_allowed_transition(self, api_as, allowed_move):
        src, dst = allowed_move
        transition = self.workflow.get(src, dst)
        ticket = self.in_state(src)
        response = self.transition(api_as(self.actor_for(transition)), ticket, dst,
                                   **self.fields_for(transition, optional=True))
        body = ok(response)
        assert body["state"] == dst and body["version"] == ticket.version + 1
        agent_may = self.agent_moves(dst, as_manager=transition.permission == "manager")
        assert {t["to"] for t in body["allowed_transitions"]} == agent_may
        entry = AuditEntry.objects.filter(ticket_id=ticket.pk, action="transitioned").latest("id")
        assert entry.changes["state"] == [src, dst]

    def test_refused_transition(self, api_as, refused_move):
        src, dst = refused_move
        ticket = self.in_state(src)
        version = ticket.version
        response = self.transition(api_as(factories.admin()), ticket, dst)
        assert response.status_code == 400, response.content
        assert "to" in response.json()
        ticket.refresh_from_db()
        assert (ticket.state, ticket.version) == (src, version)

    def test_missing_required_fields_are_named(self, api_as, required_move):
        src, dst = required_move
        transition = self.workflow.get(src, dst)
        ticket = self.in_state(src)
        empty = {name for name in transition.required if getattr(ticket, name, None) in (None, "")}
        if not empty:
            pytest.skip(f"the ticket already holds every field {dst} requires")
        response = self.transition(api_as(self.actor_for(transition)), ticket, dst)
        assert response.status_code == 400, response.content
        assert empty <= set(response.json())
        ticket.refresh_from_db()
        assert ticket.state == src

    def test_unknown_state_is_400(self, api_as):
        ticket = self.in_state(self.workflow.initial)
        response = self.transition(api_as(factories.agent()), ticket, "teleported")
        assert response.status_code == 400 and "to" in response.json()
