"""Assignment rules: matching, choosing an agent, when they run, audit, API and permissions."""

import pytest

from core import assignment, permissions
from core.desk_models import AssignmentRule
from core.models import AuditEntry, Channel
from incidents import services as incident_services
from incidents.models import Category
from tests.support import cmdb_factories, factories
from tests.support.queries import count_queries, max_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/assignment-rules/"


def rule(team, conditions=None, order=100, assign="none", **kw):
    return AssignmentRule.objects.create(name=kw.pop("name", f"to {team.name}"), team=team, order=order,
                                         conditions=conditions or {}, assign=assign, **kw)


def create(actor=None, **data):
    data.setdefault("title", "Printer offline")
    return incident_services.create_incident(actor or factories.agent(), data)


# --- matching ---------------------------------------------------------------------------------------

def test_first_active_rule_by_order_then_id_wins():
    first, second, third = (factories.TeamFactory() for _ in range(3))
    rule(third, order=5, active=False)
    rule(second, order=10)
    rule(first, order=10)  # same order, higher id: loses to `second`
    assert create().team == second


def test_no_matching_rule_leaves_the_ticket_unassigned():
    rule(factories.TeamFactory(), {"channel": "email"})
    ticket = create(channel=Channel.PHONE)
    assert ticket.team_id is None
    assert not AuditEntry.objects.filter(ticket_id=ticket.pk, action="assigned").exists()


@pytest.mark.parametrize("key", ["kind", "category", "service", "configuration_item", "organization", "channel",
                                 "priority"])
def test_each_condition_matches_and_refuses(key):
    team = factories.TeamFactory()
    service, other_service = factories.ServiceFactory(), factories.ServiceFactory()
    ci, other_ci = cmdb_factories.CIFactory(), cmdb_factories.CIFactory()
    org, other_org = factories.OrganizationFactory(), factories.OrganizationFactory()
    cat, other_cat = Category.objects.create(name="Network"), Category.objects.create(name="Email")
    good = {"kind": "incident", "category": cat, "service": service, "configuration_item": ci,
            "organization": org, "channel": Channel.EMAIL, "priority": 1}
    bad = {"kind": None, "category": other_cat, "service": other_service, "configuration_item": other_ci,
           "organization": other_org, "channel": Channel.PHONE, "priority": 5}
    value = good[key].pk if hasattr(good[key], "pk") else good[key]
    rule(team, {key: [value, 999999] if key != "kind" else value})
    fields = {"priority": {"impact": 1, "urgency": 1}}.get(key, {key: good[key]})
    if key != "kind":
        assert create(**fields).team == team
        other = {"priority": {"impact": 3, "urgency": 3}}.get(key, {key: bad[key]})
        assert create(**other).team_id is None
    else:
        assert create().team == team
        AssignmentRule.objects.update(conditions={"kind": ["incident"], "channel": ["email"]})
        assert create(channel=Channel.PHONE).team_id is None  # every condition must match


# --- choosing an agent ---------------------------------------------------------------------------------

def staffed_team(n=3):
    members = [factories.agent() for _ in range(n)]
    outsider = factories.requester()
    inactive = factories.agent(is_active=False)
    team = factories.TeamFactory(members=[*members, outsider, inactive])
    return team, sorted(members, key=lambda u: u.pk)


def test_round_robin_cycles_through_active_agent_members():
    team, members = staffed_team()
    r = rule(team, assign="round_robin")
    picked = [create().assignee_id for _ in range(4)]
    assert picked == [m.pk for m in members] + [members[0].pk]
    r.refresh_from_db()
    assert r.last_assignee_id == members[0].pk


def test_round_robin_with_no_eligible_member_assigns_the_team_only():
    team = factories.TeamFactory(members=[factories.requester()])
    rule(team, assign="round_robin")
    ticket = create()
    assert ticket.team == team and ticket.assignee_id is None


def test_least_loaded_picks_fewest_open_tickets_in_one_query():
    team, (a, b, c) = staffed_team()
    create(team=team, assignee=a)
    create(team=team, assignee=a)
    create(team=team, assignee=b)
    done = create(team=team, assignee=c)
    incident_services.transition_incident(done, a, "resolved", {"resolution_code": "duplicate",
                                                                "resolution_notes": "dup"})
    r = rule(team, assign="least_loaded")
    assert count_queries(lambda: assignment.pick_least_loaded(r)) == 1
    assert assignment.pick_least_loaded(r) == c.pk  # c's only ticket is resolved
    assert create().assignee == c


@pytest.mark.parametrize("mode", ["round_robin", "least_loaded"])
def test_routing_cost_does_not_grow_with_team_size_or_rules(mode):
    actor = factories.agent()
    small, _ = staffed_team(2)
    r = rule(small, assign=mode)
    create(actor=actor)
    few = count_queries(lambda: create(actor=actor))
    big, _ = staffed_team(15)
    AssignmentRule.objects.filter(pk=r.pk).update(team=big)
    for i in range(10):
        rule(factories.TeamFactory(), {"channel": "email"}, order=i)
    assert count_queries(lambda: create(actor=actor)) == few


# --- when rules run ---------------------------------------------------------------------------------------

def test_create_audits_an_assigned_entry_naming_the_rule():
    team, members = staffed_team(1)
    r = rule(team, assign="round_robin", name="Network desk")
    ticket = create()
    entry = AuditEntry.objects.get(ticket_id=ticket.pk, action="assigned")
    assert entry.changes == {"team": [None, team.pk], "assignee": [None, members[0].pk],
                             "rule": [None, "Network desk"], "rule_id": r.pk}
    created = AuditEntry.objects.get(ticket_id=ticket.pk, action="created")
    assert "team" not in created.changes
    assert ticket.first_response_at is None  # a rule's pick is not a response


def test_explicit_team_on_create_is_not_overridden():
    chosen, other = factories.TeamFactory(), factories.TeamFactory()
    rule(other)
    assert create(team=chosen).team == chosen
    agent = factories.agent()
    chosen.members.add(agent)
    assert create(assignee=agent).team_id is None  # an explicit assignee also keeps rules off


def test_condition_change_on_update_reroutes_with_audit():
    network, email = factories.TeamFactory(), factories.TeamFactory()
    rule(email, {"channel": "email"}, name="E-mail desk")
    agent = factories.agent()
    ticket = create(channel=Channel.PHONE)
    assert ticket.team_id is None
    ticket = incident_services.update_incident(ticket, agent, {"channel": Channel.EMAIL})
    assert ticket.team == email and ticket.version == 2
    entry = AuditEntry.objects.filter(ticket_id=ticket.pk, action="assigned").get()
    assert entry.changes["team"] == [None, email.pk] and entry.changes["rule"] == [None, "E-mail desk"]
    assert entry.actor == agent
    # the same rule result again changes nothing
    ticket = incident_services.update_incident(ticket, agent, {"title": "Still broken", "channel": Channel.EMAIL})
    assert AuditEntry.objects.filter(ticket_id=ticket.pk, action="assigned").count() == 1
    del network


def test_priority_change_through_impact_reroutes():
    p1 = factories.TeamFactory()
    rule(p1, {"priority": [1]})
    ticket = create()
    ticket = incident_services.update_incident(ticket, factories.agent(), {"impact": 1, "urgency": 1})
    assert ticket.priority == 1 and ticket.team == p1


def test_category_change_reroutes_and_team_change_in_same_write_wins():
    network, chosen = factories.TeamFactory(), factories.TeamFactory()
    cat = Category.objects.create(name="Network")
    rule(network, {"kind": "incident", "category": cat.pk})
    agent = factories.agent()
    ticket = create()
    ticket = incident_services.update_incident(ticket, agent, {"category": cat, "team": chosen})
    assert ticket.team == chosen
    other = create()
    other = incident_services.update_incident(other, agent, {"category": cat})
    assert other.team == network


def test_unrelated_change_and_closed_tickets_are_not_rerouted():
    team = factories.TeamFactory()
    agent = factories.agent()
    ticket = create(channel=Channel.PHONE)
    rule(team)
    ticket = incident_services.update_incident(ticket, agent, {"title": "New title"})
    assert ticket.team_id is None
    ticket = incident_services.transition_incident(ticket, agent, "resolved", {
        "resolution_code": "duplicate", "resolution_notes": "dup"})
    ticket = incident_services.update_incident(ticket, agent, {"channel": Channel.EMAIL})
    assert ticket.team_id is None


def test_new_team_without_picker_clears_the_assignee():
    old_team, new_team = factories.TeamFactory(), factories.TeamFactory()
    agent = factories.agent()
    old_team.members.add(agent)
    ticket = create(team=old_team, assignee=agent, channel=Channel.PHONE)
    rule(new_team, {"channel": "email"})
    ticket = incident_services.update_incident(ticket, agent, {"channel": Channel.EMAIL})
    assert ticket.team == new_team and ticket.assignee_id is None
    entry = AuditEntry.objects.filter(ticket_id=ticket.pk, action="assigned").last()
    assert entry.changes["assignee"] == [agent.pk, None]


# --- validation -----------------------------------------------------------------------------------------

def test_conditions_are_validated_and_normalized():
    cat = Category.objects.create(name="Network")
    normalized, errors = assignment.validate_conditions({"kind": "incident", "category": cat.pk,
                                                         "priority": ["1", 2], "channel": "email"})
    assert errors == {}
    assert normalized == {"kind": ["incident"], "category": [cat.pk], "priority": [1, 2], "channel": ["email"]}
    _, errors = assignment.validate_conditions({"colour": "red", "category": 999999, "priority": 9,
                                                "kind": "nope", "service": "abc", "channel": []})
    assert set(errors) == {"colour", "category", "priority", "kind", "service", "channel"}


# --- API ------------------------------------------------------------------------------------------------

def test_manager_crud(api_as):
    manager = factories.manager()
    api = api_as(manager)
    team = factories.TeamFactory()
    cat = Category.objects.create(name="Network")
    body = {"name": "Network", "order": 5, "conditions": {"kind": "incident", "category": cat.pk}, "team": team.pk,
            "assign": "round_robin"}
    created = api.post(URL, body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["conditions"] == {"kind": ["incident"], "category": [cat.pk]} and data["active"] is True
    rule_id = data["id"]
    assert api.get(f"{URL}{rule_id}/").json()["team_name"] == team.name
    patched = api.patch(f"{URL}{rule_id}/", {"order": 1, "assign": "least_loaded"})
    assert patched.status_code == 200 and patched.json()["assign"] == "least_loaded"
    assert api.delete(f"{URL}{rule_id}/").status_code == 204
    assert not AssignmentRule.objects.exists()


@pytest.mark.parametrize("body, field", [
    ({"conditions": {"colour": "red"}}, "conditions"),
    ({"conditions": {"service": 999999}}, "conditions"),
    ({"conditions": {"priority": 7}}, "conditions"),
    ({"conditions": {"kind": "incident", "service": "x"}}, "conditions"),
    ({"conditions": ["kind"]}, "conditions"),
    ({"conditions": {"kind": [{"name": "incident"}]}}, "conditions"),
    ({"conditions": {"kind": [["incident"]]}}, "conditions"),
    ({"team": 999999}, "team"),
    ({"team": 2 ** 70}, "team"),
    ({"assign": "random"}, "assign"),
    ({"name": ""}, "name"),
])
def test_bad_input_is_400_with_field_messages(api_as, body, field):
    api = api_as(factories.admin())
    payload = {"name": "r", "team": factories.TeamFactory().pk, **body}
    response = api.post(URL, payload)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_unknown_condition_message_names_the_key(api_as):
    api = api_as(factories.manager())
    response = api.post(URL, {"name": "r", "team": factories.TeamFactory().pk,
                              "conditions": {"colour": "red", "service": 999999}})
    errors = response.json()["conditions"]
    assert set(errors) == {"colour", "service"}


@pytest.mark.parametrize("role, read, write", [
    (permissions.REQUESTER, 403, 403), (permissions.AGENT, 200, 403), (permissions.MANAGER, 200, 201),
    (permissions.ADMIN, 200, 201), (None, 401, 401)])
def test_permission_matrix(api_as, role, read, write):
    user = factories.UserFactory(role=role) if role else None
    api = api_as(user)
    team = factories.TeamFactory()
    existing = rule(team)
    assert api.get(URL).status_code == read
    assert api.get(f"{URL}{existing.pk}/").status_code == read
    assert api.post(URL, {"name": "x", "team": team.pk}).status_code == write
    expected_change = 200 if write == 201 else write
    assert api.patch(f"{URL}{existing.pk}/", {"order": 3}).status_code == expected_change


def test_list_is_ordered_and_query_count_is_constant(api_as):
    api = api_as(factories.agent())
    teams = [factories.TeamFactory() for _ in range(3)]
    for i in range(6):
        rule(teams[i % 3], order=10 - i)
    api.get(URL)
    with max_queries(6):
        response = api.get(URL)
    assert [r["order"] for r in response.json()["results"]] == sorted(10 - i for i in range(6))
    for i in range(20):
        rule(teams[i % 3], order=i)
    with max_queries(6):
        assert len(api.get(URL).json()["results"]) == 26


def test_admin_screen_validates_conditions(client):
    client.force_login(factories.admin())
    team = factories.TeamFactory()
    form = {"name": "Admin rule", "order": 1, "active": "on", "team": team.pk, "assign": "least_loaded",
            "conditions": '{"colour": "red"}'}
    page = client.post("/admin/core/assignmentrule/add/", form)
    assert page.status_code == 200 and "colour" in page.content.decode()
    saved = client.post("/admin/core/assignmentrule/add/", {**form, "conditions": '{"priority": 1}'})
    assert saved.status_code == 302
    assert AssignmentRule.objects.get().conditions == {"priority": [1]}
    assert client.get("/admin/core/assignmentrule/").status_code == 200
    assert client.get("/admin/core/cannedresponse/add/").status_code == 200
