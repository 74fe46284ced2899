"""/api/v1/approvals/ and /api/v1/approval-delegations/: the contract, scoping, errors and query counts."""

import pytest

from core import approvals
from core.models import Approval, ApprovalDelegation
from tests.support import factories
from tests.support.events_factories import integration_user
from tests.support.queries import count_queries

from .approval_support import days, listener, ticket_with_stage, today  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
URL = "/api/v1/approvals/"
DELEGATIONS = "/api/v1/approval-delegations/"


def approval_of(stage, user):
    return Approval.objects.get(stage=stage, approver=user)


def test_an_approval_row_carries_the_contract(api_as):
    boss = factories.manager(first_name="Bea", last_name="Boss")
    ticket, stage = ticket_with_stage([boss], rule="n_of_m", required=1)
    row = api_as(boss).get(URL).json()["results"][0]
    assert row["ticket"] == ticket.pk and row["ticket_number"] == ticket.number
    assert row["ticket_title"] == ticket.title and row["ticket_kind"] == "incident"
    assert row["stage"]["order"] == 1 and row["stage"]["name"] == "Manager" and row["stage"]["rule"] == "n_of_m"
    assert row["stage"]["required"] == 1 and row["stage"]["state"] == "open"
    assert row["state"] == "pending" and row["approver"] == {"id": boss.pk, "name": "Bea Boss"}
    assert row["on_behalf_of"] is None and row["decided_by"] is None and row["decided_at"] is None
    assert {"comment", "created_at", "id"} <= row.keys()


def test_approve_and_reject_through_the_api(api_as, listener):
    a, b = factories.manager(), factories.manager()
    ticket, stage = ticket_with_stage([a, b], rule="all")
    response = api_as(a).post(f"{URL}{approval_of(stage, a).pk}/approve/", {"comment": "Fine"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "approved" and response.json()["decided_by"]["id"] == a.pk
    missing = api_as(b).post(f"{URL}{approval_of(stage, b).pk}/reject/", {}, format="json")
    assert missing.status_code == 400 and "comment" in missing.json()
    rejected = api_as(b).post(f"{URL}{approval_of(stage, b).pk}/reject/", {"comment": "No"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["stage"]["state"] == "rejected"
    again = api_as(b).post(f"{URL}{approval_of(stage, b).pk}/approve/", {}, format="json")
    assert again.status_code == 400
    assert [call[2] for call in listener] == [False]


def test_nobody_approves_their_own_request_or_someone_elses_approval(api_as):
    requester = factories.requester()
    boss, agent = factories.manager(), factories.agent()
    _ticket, stage = ticket_with_stage([boss], requester=requester)
    approval = approval_of(stage, boss)
    assert api_as(requester).post(f"{URL}{approval.pk}/approve/", {}, format="json").status_code == 403
    assert api_as(agent).post(f"{URL}{approval.pk}/approve/", {}, format="json").status_code == 403
    assert api_as(factories.requester()).post(f"{URL}{approval.pk}/approve/", {}).status_code == 404
    assert api_as(integration_user(username="bot")).post(f"{URL}{approval.pk}/approve/", {}).status_code == 403
    assert api_as(boss).post(f"{URL}{2**70}/approve/", {}).status_code == 404


def test_mine_ticket_and_state_filters(api_as):
    boss, other = factories.manager(), factories.manager()
    t1, s1 = ticket_with_stage([boss, other], rule="all")
    t2, s2 = ticket_with_stage([boss])
    approvals.decide(approval_of(s2, boss), boss, True)
    api = api_as(boss)
    mine = api.get(f"{URL}?mine=true").json()["results"]
    assert [row["id"] for row in mine] == [approval_of(s1, boss).pk]
    assert {row["ticket"] for row in api.get(f"{URL}?ticket={t1.pk}").json()["results"]} == {t1.pk}
    assert [row["id"] for row in api.get(f"{URL}?state=approved").json()["results"]] == [approval_of(s2, boss).pk]
    assert api.get(f"{URL}?state=bogus").status_code == 400
    assert api.get(f"{URL}?ticket=abc").status_code == 400


def test_a_requester_sees_approvals_of_their_tickets_and_their_own_only(api_as):
    globex, initech = factories.OrganizationFactory(name="Globex Secret"), factories.OrganizationFactory()
    alice = factories.requester(organization=globex, first_name="Alicia")
    globex_boss = factories.requester(organization=globex, first_name="Gustav")
    me = factories.requester(organization=initech)
    my_boss = factories.requester(organization=initech, first_name="Ingrid")
    theirs, _s = ticket_with_stage([globex_boss], requester=alice, title="Globex merger")
    mine, _s2 = ticket_with_stage([my_boss], requester=me, title="My laptop")
    rows = api_as(me).get(URL).json()["results"]
    assert [row["ticket"] for row in rows] == [mine.pk]
    text = api_as(me).get(URL).content.decode() + api_as(me).get(f"{URL}?ticket={theirs.pk}").content.decode()
    for secret in ("Globex", "Gustav", "Alicia", theirs.number):
        assert secret not in text
    assert api_as(me).get(f"{URL}{approval_of(_s, globex_boss).pk}/").status_code == 404
    # the approver (a requester) sees what they are asked
    assert [row["ticket"] for row in api_as(my_boss).get(f"{URL}?mine=true").json()["results"]] == [mine.pk]


def test_a_requester_is_not_told_names_of_another_organization(api_as):
    home, away = factories.OrganizationFactory(), factories.OrganizationFactory()
    me = factories.requester(organization=home)
    stranger = factories.requester(organization=away, first_name="Zed")
    agent = factories.agent(first_name="Stan")
    _ticket, _stage = ticket_with_stage([stranger, agent], requester=me)
    rows = api_as(me).get(URL).json()["results"]
    people = sorted((row["approver"]["name"] or "") for row in rows)
    assert people == ["", f"Stan {agent.last_name}"]
    assert "Zed" not in api_as(me).get(URL).content.decode()
    assert any(row["approver"]["name"] and "Zed" in row["approver"]["name"]
               for row in api_as(agent).get(URL).json()["results"])


def test_the_list_costs_a_constant_number_of_queries(api_as):
    boss = factories.requester()
    api = api_as(boss)
    ticket_with_stage([boss, factories.manager()])
    api.get(URL)  # warm-up (token look-up caches)
    few = count_queries(lambda: api.get(URL))
    for _ in range(6):
        ticket_with_stage([boss, factories.manager()], rule="all")
    many = count_queries(lambda: api.get(URL))
    mine = count_queries(lambda: api.get(f"{URL}?mine=true"))
    assert len(api.get(URL).json()["results"]) == 14
    assert many == few and mine <= few
    staff = api_as(factories.manager())
    staff.get(URL)
    assert count_queries(lambda: staff.get(URL)) <= few


def test_a_delegate_finds_and_decides_what_was_delegated(api_as):
    boss, deputy = factories.requester(), factories.requester()
    ticket, stage = ticket_with_stage([boss])
    approval = approval_of(stage, boss)
    ApprovalDelegation.objects.create(user=boss, delegate=deputy, starts_on=today(), ends_on=days(1))
    api = api_as(deputy)
    assert [row["id"] for row in api.get(f"{URL}?mine=true").json()["results"]] == [approval.pk]
    response = api.post(f"{URL}{approval.pk}/approve/", {"comment": "ok"}, format="json")
    assert response.status_code == 200
    assert response.json()["approver"]["id"] == boss.pk and response.json()["decided_by"]["id"] == deputy.pk


# --- delegations ---------------------------------------------------------------------------------------------

def test_delegations_are_created_listed_and_deleted_by_their_owner(api_as):
    org = factories.OrganizationFactory()
    me, colleague = factories.requester(organization=org), factories.requester(organization=org)
    api = api_as(me)
    created = api.post(DELEGATIONS, {"delegate": colleague.pk, "starts_on": str(today()),
                                     "ends_on": str(days(3))}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["user"] == me.pk and created.json()["delegate"] == colleague.pk
    assert [row["id"] for row in api.get(DELEGATIONS).json()["results"]] == [created.json()["id"]]
    assert api_as(colleague).get(DELEGATIONS).json()["results"] == []
    assert api_as(colleague).delete(f"{DELEGATIONS}{created.json()['id']}/").status_code == 404
    assert api.delete(f"{DELEGATIONS}{created.json()['id']}/").status_code == 204
    assert not ApprovalDelegation.objects.exists()


def test_delegation_input_is_checked_with_field_messages(api_as):
    org = factories.OrganizationFactory()
    me = factories.requester(organization=org)
    gone = factories.requester(organization=org, is_active=False)
    foreign = factories.requester(organization=factories.OrganizationFactory(), first_name="Foreigner")
    colleague = factories.requester(organization=org)
    api = api_as(me)

    def post(**data):
        body = {"delegate": colleague.pk, "starts_on": str(today()), "ends_on": str(days(2)), **data}
        return api.post(DELEGATIONS, body, format="json")

    for data, field in (({"delegate": me.pk}, "delegate"), ({"delegate": gone.pk}, "delegate"),
                        ({"delegate": foreign.pk}, "delegate"), ({"delegate": 2**70}, "delegate"),
                        ({"starts_on": str(days(3)), "ends_on": str(days(2))}, "ends_on"),
                        ({"starts_on": str(days(-5)), "ends_on": str(days(-1))}, "ends_on"),
                        ({"ends_on": "soon"}, "ends_on")):
        response = post(**data)
        assert response.status_code == 400 and field in response.json(), (data, response.content)
        assert "Foreigner" not in response.content.decode()
    assert post(user=colleague.pk, delegate=factories.requester(organization=org).pk).status_code == 403
    assert not ApprovalDelegation.objects.exists()


def test_admins_manage_anyones_delegations_and_integrations_only_read(api_as):
    admin, someone, deputy = factories.admin(), factories.agent(), factories.agent()
    created = api_as(admin).post(DELEGATIONS, {"user": someone.pk, "delegate": deputy.pk,
                                               "starts_on": str(today()), "ends_on": str(today())}, format="json")
    assert created.status_code == 201 and created.json()["user"] == someone.pk
    assert api_as(someone).get(DELEGATIONS).json()["results"][0]["delegate"] == deputy.pk
    assert api_as(admin).delete(f"{DELEGATIONS}{created.json()['id']}/").status_code == 204
    bot = api_as(integration_user(username="bot2"))
    assert bot.get(DELEGATIONS).status_code == 200
    assert bot.post(DELEGATIONS, {"delegate": deputy.pk, "starts_on": str(today()),
                                  "ends_on": str(today())}, format="json").status_code == 403


def test_the_delegate_picker_offers_a_requester_only_their_organization(api_as):
    org = factories.OrganizationFactory()
    me = factories.requester(organization=org)
    colleague = factories.requester(organization=org, first_name="Colin")
    factories.requester(organization=factories.OrganizationFactory(), first_name="Colette")
    factories.requester(organization=org, first_name="Coleman", is_active=False)
    names = [row["name"] for row in api_as(me).get(f"{DELEGATIONS}delegates/?search=Col").json()["results"]]
    assert names == [colleague.get_full_name()]
    staff = [row["name"] for row in api_as(factories.agent()).get(
        f"{DELEGATIONS}delegates/?search=Col").json()["results"]]
    assert len(staff) == 2
