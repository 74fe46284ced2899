"""Approvals in the pages: the ticket panel, My work, approve / reject forms and delegation on the profile."""

import pytest
from django.test import Client

from core import approvals
from core.models import Approval, ApprovalDelegation
from tests.support import factories
from tests.support.queries import count_queries

from .approval_support import days, listener, ticket_with_stage, today  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def approval_of(stage, user):
    return Approval.objects.get(stage=stage, approver=user)


def test_the_panel_lists_stages_and_offers_the_approver_a_decision():
    boss = factories.manager(first_name="Bea", last_name="Boss")
    other = factories.manager(first_name="Otto")
    ticket, stage = ticket_with_stage([boss, other], rule="all")
    page = client_for(boss).get(f"/incidents/{ticket.pk}/").content.decode()
    assert 'id="approvals-panel"' in page and "Bea Boss" in page and "Otto" in page and "Manager" in page
    assert f'/approvals/{approval_of(stage, boss).pk}/approve/' in page
    assert f'/approvals/{approval_of(stage, other).pk}/approve/' not in page
    agent_page = client_for(factories.agent()).get(f"/incidents/{ticket.pk}/").content.decode()
    assert 'id="approvals-panel"' in agent_page and "/approve/" not in agent_page


def test_no_panel_without_stages():
    ticket = factories.incident()
    page = client_for(factories.agent()).get(f"/incidents/{ticket.pk}/").content.decode()
    assert 'id="approvals-panel"' not in page


def test_the_requester_sees_the_panel_of_their_ticket_without_a_decision():
    requester = factories.requester()
    boss = factories.manager(first_name="Bea")
    ticket, _stage = ticket_with_stage([boss], requester=requester)
    page = client_for(requester).get(f"/incidents/{ticket.pk}/").content.decode()
    assert 'id="approvals-panel"' in page and "Bea" in page and "/approve/" not in page


def test_a_requester_role_approver_opens_the_ticket_and_approves_from_it(listener):
    org = factories.OrganizationFactory()
    boss = factories.requester(organization=org)
    ticket, stage = ticket_with_stage([boss], requester=factories.requester(organization=org))
    client = client_for(boss)
    assert client.get(f"/incidents/{ticket.pk}/").status_code == 200
    approval = approval_of(stage, boss)
    response = client.post(f"/approvals/{approval.pk}/approve/", {"comment": "go", "next": f"/incidents/{ticket.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/incidents/{ticket.pk}/"
    approval.refresh_from_db()
    assert approval.state == "approved" and len(listener) == 1


def test_reject_without_a_comment_shows_the_error_and_changes_nothing():
    boss = factories.manager()
    ticket, stage = ticket_with_stage([boss])
    approval = approval_of(stage, boss)
    response = client_for(boss).post(f"/approvals/{approval.pk}/reject/", {"comment": ""}, follow=True)
    assert response.status_code == 200 and "Give a reason for the rejection." in response.content.decode()
    approval.refresh_from_db()
    assert approval.state == "pending"
    done = client_for(boss).post(f"/approvals/{approval.pk}/reject/", {"comment": "Too dear"}, follow=True)
    assert "rejected" in done.content.decode()
    again = client_for(boss).post(f"/approvals/{approval.pk}/approve/", follow=True)
    assert again.status_code == 200 and "already closed" in again.content.decode()


def test_refusals_and_unsafe_next_never_500():
    requester = factories.requester()
    boss = factories.manager()
    ticket, stage = ticket_with_stage([boss], requester=requester)
    approval = approval_of(stage, boss)
    own = client_for(requester).post(f"/approvals/{approval.pk}/approve/", follow=True)
    assert own.status_code == 200 and "Nobody approves their own request." in own.content.decode()
    stranger = client_for(factories.requester()).post(f"/approvals/{approval.pk}/approve/")
    assert stranger.status_code == 404
    evil = client_for(boss).post(f"/approvals/{approval.pk}/approve/", {"next": "https://evil.example/"})
    assert evil["Location"] == f"/incidents/{ticket.pk}/"
    assert client_for(boss).get(f"/approvals/{approval.pk}/approve/").status_code == 405
    assert client_for(boss).post(f"/approvals/{2**70}/approve/").status_code == 404


def test_htmx_gets_a_client_redirect():
    boss = factories.manager()
    ticket, stage = ticket_with_stage([boss])
    response = client_for(boss).post(f"/approvals/{approval_of(stage, boss).pk}/approve/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == f"/incidents/{ticket.pk}/"


def test_my_work_lists_what_waits_for_me_without_n_plus_one():
    boss = factories.manager()
    client = client_for(boss)
    assert "Approvals waiting for me" not in client.get("/").content.decode()
    ticket, _stage = ticket_with_stage([boss], title="New laptop for Ann")
    page = client.get("/").content.decode()
    assert "Approvals waiting for me" in page and ticket.number in page and "New laptop for Ann" in page
    assert "/approve/" in page and "/reject/" in page
    few = count_queries(lambda: client.get("/"))
    for _ in range(5):
        ticket_with_stage([boss])
    assert count_queries(lambda: client.get("/")) == few


def test_the_waiting_component_works_for_a_requester():
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from core.approval_views import waiting_context

    boss = factories.requester()
    ticket, _stage = ticket_with_stage([boss])
    request = RequestFactory().get("/")
    request.user = boss
    html = render_to_string("components/approvals_waiting.html", waiting_context(boss), request=request)
    assert ticket.number in html and "Approvals waiting for me" in html and "/reject/" in html


def test_profile_delegation_add_and_remove():
    org = factories.OrganizationFactory()
    me = factories.requester(organization=org)
    colleague = factories.requester(organization=org, first_name="Carla", last_name="Colleague")
    client = client_for(me)
    page = client.get("/profile/").content.decode()
    assert "Approval delegation" in page and "/api/v1/approval-delegations/delegates/" in page
    response = client.post("/profile/delegations/", {"delegate": colleague.pk, "starts_on": str(today()),
                                                      "ends_on": str(days(2))})
    assert response.status_code == 302
    delegation = ApprovalDelegation.objects.get()
    assert (delegation.user, delegation.delegate) == (me, colleague)
    assert "Carla Colleague" in client.get("/profile/").content.decode()
    assert client_for(colleague).post(f"/profile/delegations/{delegation.pk}/delete/").status_code == 404
    assert client.post(f"/profile/delegations/{delegation.pk}/delete/").status_code == 302
    assert not ApprovalDelegation.objects.exists()


def test_profile_delegation_errors_never_name_another_organization():
    me = factories.requester(organization=factories.OrganizationFactory())
    foreign = factories.requester(organization=factories.OrganizationFactory(), first_name="Fiona", last_name="Far")
    client = client_for(me)
    response = client.post("/profile/delegations/", {"delegate": foreign.pk, "starts_on": str(today()),
                                                     "ends_on": str(days(1))})
    assert response.status_code == 400 and "Fiona" not in response.content.decode()
    assert "Choose an active user." in response.content.decode()
    past = client.post("/profile/delegations/", {"delegate": me.pk, "starts_on": str(days(-3)),
                                                 "ends_on": str(days(-2))})
    assert past.status_code == 400
    assert not ApprovalDelegation.objects.exists()


def test_staff_pick_any_active_user_with_the_user_picker():
    agent = factories.agent()
    page = client_for(agent).get("/profile/").content.decode()
    assert "/api/v1/users/" in page
    other = factories.requester(organization=factories.OrganizationFactory())
    response = client_for(agent).post("/profile/delegations/", {"delegate": other.pk, "starts_on": str(today()),
                                                                "ends_on": str(today())})
    assert response.status_code == 302 and ApprovalDelegation.objects.get().delegate == other


def test_the_approval_entries_read_well_in_the_timeline():
    boss = factories.manager(first_name="Bea", last_name="Boss")
    ticket, stage = ticket_with_stage([boss])
    approvals.decide(approval_of(stage, boss), boss, False, "Over the budget")
    page = client_for(factories.agent()).get(f"/incidents/{ticket.pk}/").content.decode()
    assert "Over the budget" in page and "Rejected" in page and "Approval stage" in page


def test_a_requester_timeline_names_no_approver_but_shows_the_reason():
    requester = factories.requester(organization=factories.OrganizationFactory())
    stranger = factories.requester(organization=factories.OrganizationFactory(), first_name="Zora", last_name="Zed")
    ticket, stage = ticket_with_stage([stranger], requester=requester)
    approvals.decide(approval_of(stage, stranger), stranger, False, "Not this quarter")
    page = client_for(requester).get(f"/incidents/{ticket.pk}/").content.decode()
    assert "Not this quarter" in page and "Zora" not in page and "Zed" not in page
