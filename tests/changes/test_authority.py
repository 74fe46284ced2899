"""Change authorisation (changes.authority): the model's steps at the change's risk, each authority type, the
rules, rejection, delegation through /api/v1/approvals/, the gates, the panel, and versioned change models."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from changes import authority, model_services, services
from changes.authority_models import AuthorisationStage
from changes.models import AuthorityStep, Change, ChangeModel
from core.models import Approval, ApprovalDelegation, ApprovalStage, AuditEntry
from tests.support import change_factories, factories

pytestmark = pytest.mark.django_db
APPROVALS = "/api/v1/approvals/"


def fresh(change):
    return Change.objects.get(pk=change.pk)


def request_authorisation(change, actor=None):
    return services.transition_change(change, actor or factories.agent(), "authorize")


def open_stage(change):
    return ApprovalStage.objects.get(ticket_id=change.pk, state="open")


def approvers(stage):
    return set(stage.approvals.values_list("approver_id", flat=True))


def approve(api_as, user, change, comment=""):
    approval = Approval.objects.get(ticket_id=change.pk, approver=user, state="pending")
    return api_as(user).post(f"{APPROVALS}{approval.pk}/approve/", {"comment": comment}, format="json")


def model_with(*steps, name="Normal change"):
    return change_factories.change_model(name=name, steps=list(steps))


def test_a_user_step_is_asked_and_its_approval_schedules_the_change(api_as):
    boss = factories.manager()
    agent = factories.agent()
    change = request_authorisation(change_factories.change(
        actor=agent, model=model_with({"authority": "user", "user": boss, "name": "Boss"})), agent)
    stage = open_stage(change)
    assert approvers(stage) == {boss.pk} and stage.name == "Boss"
    link = AuthorisationStage.objects.get(stage=stage)
    assert link.change_id == change.pk and link.board is None and link.position == 1
    response = approve(api_as, boss, change)
    assert response.status_code == 200, response.content
    change = fresh(change)
    assert change.state == "scheduled" and change.authorised_at is not None


def test_a_peer_is_a_team_member_other_than_the_assignee_and_the_creator():
    creator, assignee, peer1, peer2 = (factories.agent() for _ in range(4))
    team = factories.TeamFactory(members=[creator, assignee, peer1, peer2])
    change = change_factories.change(actor=creator, team=team, assignee=assignee,
                                     model=model_with({"authority": "peer", "name": "Peer review"}))
    change = request_authorisation(change, creator)
    assert approvers(open_stage(change)) == {peer1.pk, peer2.pk}


def test_the_team_manager_and_a_group(api_as):
    boss = factories.manager()
    member1, member2 = factories.agent(), factories.agent()
    team = factories.TeamFactory(members=[member1], manager=boss)
    group = factories.TeamFactory(name="Network architects", members=[member1, member2])
    model = model_with({"authority": "team_manager", "name": "Manager"},
                       {"authority": "group", "group": group, "rule": "all", "name": "Architects"})
    change = request_authorisation(change_factories.change(team=team, model=model))
    assert approvers(open_stage(change)) == {boss.pk}
    assert approve(api_as, boss, change).status_code == 200
    stage = open_stage(change)
    assert stage.name == "Architects" and approvers(stage) == {member1.pk, member2.pk} and stage.required == 2
    approve(api_as, member1, change)
    assert fresh(change).state == "authorize"  # all: one more
    approve(api_as, member2, change)
    assert fresh(change).state == "scheduled"


def test_a_board_asks_its_members_under_its_own_rule_n_of_m(api_as):
    members = [factories.agent() for _ in range(3)]
    cab = change_factories.board(members=members, rule="n_of_m", required=2)
    model = model_with({"authority": "board", "board": cab, "rule": "any", "required": 1})
    change = request_authorisation(change_factories.change(model=model))
    stage = open_stage(change)
    assert approvers(stage) == {m.pk for m in members} and stage.rule == "n_of_m" and stage.required == 2
    assert stage.name == "Step 1" and AuthorisationStage.objects.get(stage=stage).board == cab
    approve(api_as, members[0], change)
    assert fresh(change).state == "authorize"
    approve(api_as, members[1], change)
    assert fresh(change).state == "scheduled"
    assert Approval.objects.get(ticket_id=change.pk, approver=members[2]).state == "skipped"


def test_any_one_of_a_group_is_enough(api_as):
    a, b = factories.agent(), factories.agent()
    group = factories.TeamFactory(members=[a, b])
    change = request_authorisation(change_factories.change(
        model=model_with({"authority": "group", "group": group, "rule": "any"})))
    approve(api_as, b, change)
    assert fresh(change).state == "scheduled"


def test_steps_apply_by_risk_in_order():
    low_boss, cab_member = factories.manager(), factories.agent()
    cab = change_factories.board(members=[cab_member], required=1)
    model = model_with({"authority": "user", "user": low_boss, "min_risk": 1, "max_risk": 2, "name": "Manager"},
                       {"authority": "board", "board": cab, "min_risk": 3, "max_risk": 3})
    low = request_authorisation(change_factories.change(model=model))
    assert open_stage(low).name == "Manager"
    switch, _found = change_factories.core_switch()
    high = request_authorisation(change_factories.change(model=model, configuration_items=[switch.pk]))
    assert high.risk_level == 3 and open_stage(high).name == "Step 2"
    assert [entry["board"] for entry in authority.plan(fresh(high))] == [cab]


def test_no_step_at_this_risk_authorises_at_once():
    boss = factories.manager()
    model = model_with({"authority": "user", "user": boss, "min_risk": 3, "max_risk": 3})
    change = request_authorisation(change_factories.change(model=model))
    assert change.state == "scheduled" and change.authorised_at
    assert not ApprovalStage.objects.filter(ticket_id=change.pk).exists()
    entry = AuditEntry.objects.get(ticket_id=change.pk, changes__has_key="authorisation")
    assert "authorised at once" in entry.changes["authorisation"][1]


def test_an_authorised_change_without_a_window_waits_and_is_scheduled_when_given_one():
    model = model_with()
    agent = factories.agent()
    change = change_factories.change(actor=agent, model=model, planned_start=None, planned_end=None)
    change = request_authorisation(change, agent)
    assert change.state == "authorize" and change.authorised_at
    start, end = change_factories.window()
    services.update_change(change, agent, {"planned_start": start, "planned_end": end})
    assert fresh(change).state == "scheduled"


def test_an_emergency_change_without_a_model_goes_to_the_emergency_cab(api_as):
    member = factories.agent()
    change_factories.board(name="CAB", members=[factories.agent()], required=1)
    ecab = change_factories.board(name="ECAB", members=[member], emergency=True, rule="any", required=1)
    change = change_factories.change(change_type="emergency", model=None)
    assert fresh(change).model is None
    change = request_authorisation(change)
    stage = open_stage(change)
    assert stage.name == "ECAB" and approvers(stage) == {member.pk}
    assert AuthorisationStage.objects.get(stage=stage).board == ecab
    approve(api_as, member, change)
    assert fresh(change).state == "scheduled"


def test_rejection_needs_a_reason_and_rejects_the_change(api_as):
    boss = factories.manager()
    change = request_authorisation(change_factories.change(model=model_with({"authority": "user", "user": boss})))
    approval = Approval.objects.get(ticket_id=change.pk, approver=boss)
    missing = api_as(boss).post(f"{APPROVALS}{approval.pk}/reject/", {}, format="json")
    assert missing.status_code == 400 and "comment" in missing.json()
    assert fresh(change).state == "authorize"
    rejected = api_as(boss).post(f"{APPROVALS}{approval.pk}/reject/", {"comment": "Not in quarter end"},
                                 format="json")
    assert rejected.status_code == 200
    change = fresh(change)
    assert change.state == "rejected" and change.rejection_reason == "Not in quarter end"
    assert change.authorised_at is None


def test_a_delegate_stands_in_for_an_approver_away_today(api_as):
    boss, deputy = factories.manager(), factories.manager()
    today = timezone.localdate()
    ApprovalDelegation.objects.create(user=boss, delegate=deputy, starts_on=today, ends_on=today)
    change = request_authorisation(change_factories.change(model=model_with({"authority": "user", "user": boss})))
    approval = Approval.objects.get(ticket_id=change.pk)
    assert approval.approver == deputy and approval.on_behalf_of == boss
    assert approve(api_as, deputy, change).status_code == 200
    assert fresh(change).state == "scheduled"


def test_a_delegation_made_after_the_request_lets_the_delegate_decide(api_as):
    boss, deputy = factories.manager(), factories.manager()
    change = request_authorisation(change_factories.change(model=model_with({"authority": "user", "user": boss})))
    today = timezone.localdate()
    ApprovalDelegation.objects.create(user=boss, delegate=deputy, starts_on=today,
                                      ends_on=today + dt.timedelta(days=2))
    approval = Approval.objects.get(ticket_id=change.pk)
    response = api_as(deputy).post(f"{APPROVALS}{approval.pk}/approve/", {}, format="json")
    assert response.status_code == 200 and response.json()["decided_by"]["id"] == deputy.pk
    assert fresh(change).state == "scheduled"


def test_gates_refuse_schedule_and_implement_before_authorisation_naming_the_stage(api_as):
    boss, agent = factories.manager(), factories.agent()
    change = request_authorisation(change_factories.change(
        actor=agent, model=model_with({"authority": "user", "user": boss, "name": "Network manager"})), agent)
    url = f"/api/v1/changes/{change.pk}/transition/"
    for to in ("scheduled", "implement"):
        response = api_as(agent).post(url, {"to": to}, format="json")
        assert response.status_code == 400
        assert "Network manager" in str(response.json()), response.json()
    fresh_change = change_factories.change(actor=agent)
    response = api_as(agent).post(f"/api/v1/changes/{fresh_change.pk}/transition/", {"to": "implement"},
                                  format="json")
    assert response.status_code == 400 and "not authorised" in str(response.json())


def test_nobody_to_ask_refuses_the_request_naming_the_step(api_as):
    agent = factories.agent()
    change = change_factories.change(actor=agent, model=model_with({"authority": "peer", "name": "Peer review"}))
    response = api_as(agent).post(f"/api/v1/changes/{change.pk}/transition/", {"to": "authorize"}, format="json")
    assert response.status_code == 400 and "Peer review" in str(response.json())
    assert fresh(change).state == "new" and not ApprovalStage.objects.filter(ticket_id=change.pk).exists()


def test_withdrawing_cancels_the_open_stage():
    boss, agent = factories.manager(), factories.agent()
    change = request_authorisation(change_factories.change(
        actor=agent, model=model_with({"authority": "user", "user": boss})), agent)
    services.transition_change(change, agent, "assess")
    assert ApprovalStage.objects.get(ticket_id=change.pk).state == "cancelled"


def test_requesters_neither_see_nor_decide_change_approvals(api_as):
    boss = factories.manager()
    change = request_authorisation(change_factories.change(model=model_with({"authority": "user", "user": boss})))
    outsider = factories.requester()
    approval = Approval.objects.get(ticket_id=change.pk)
    assert api_as(outsider).get(f"{APPROVALS}?ticket={change.pk}").json()["results"] == []
    assert api_as(outsider).post(f"{APPROVALS}{approval.pk}/approve/", {}, format="json").status_code == 404
    assert api_as(factories.agent()).post(f"{APPROVALS}{approval.pk}/approve/", {},
                                          format="json").status_code == 403


def test_the_panel_says_which_steps_apply_and_why():
    boss, member = factories.manager(), factories.agent()
    cab = change_factories.board(members=[member], required=1)
    model = model_with({"authority": "user", "user": boss, "min_risk": 1, "max_risk": 2, "name": "Manager"},
                       {"authority": "board", "board": cab, "min_risk": 3, "max_risk": 3, "name": "CAB review"})
    change = request_authorisation(change_factories.change(model=model))
    context = authority.panel_context(fresh(change), boss)
    steps = context["authority"]["steps"]
    assert [s["applies"] for s in steps] == [True, False]
    assert context["authority"]["waiting"] == "Manager" and context["authority"]["stages"][0]["state"] == "open"
    html = render_to_string("changes/_authorisation_panel.html", context)
    assert "Normal change" in html and "Manager" in html and "CAB review" in html and "Not asked" in html


# --- versioned change models ----------------------------------------------------------------------------------

def test_a_model_in_use_is_saved_as_a_new_version():
    boss, other = factories.manager(), factories.manager()
    model = model_with({"authority": "user", "user": boss, "name": "Boss"})
    unused = model_services.save_model(model, {"description": "Edited in place"},
                                       [{"authority": "user", "user": boss, "name": "Boss"}])
    assert unused.pk == model.pk and unused.version == 1
    change = change_factories.change(model=model)
    new = model_services.save_model(fresh_model(model), {"description": "Second"},
                                    [{"authority": "user", "user": other, "name": "Other"}])
    assert new.pk != model.pk and new.version == 2 and new.previous_version_id == model.pk and new.active
    assert not fresh_model(model).active
    assert list(model.steps.values_list("name", flat=True)) == ["Boss"]
    assert list(new.steps.values_list("name", flat=True)) == ["Other"]
    assert fresh(change).model_id == model.pk
    assert services.default_model("normal") == new
    with pytest.raises(Exception) as error:
        model_services.save_model(new, {}, [{"authority": "board", "name": "No board"}])
    assert "board" in error.value.message_dict


def fresh_model(model):
    return ChangeModel.objects.get(pk=model.pk)


def _admin_post(model, steps, **fields):
    data = {"name": model.name, "change_type": model.change_type, "description": fields.get("description", ""),
            "active": "on", "lead_time_days": 0,
            "steps-TOTAL_FORMS": len(steps), "steps-INITIAL_FORMS": sum(1 for s in steps if s.get("id")),
            "steps-MIN_NUM_FORMS": 0, "steps-MAX_NUM_FORMS": 1000}
    for index, step in enumerate(steps):
        for key, value in step.items():
            data[f"steps-{index}-{key}"] = value
        data[f"steps-{index}-model"] = model.pk
    return data


def test_saving_a_model_in_use_in_the_admin_saves_a_new_version(client):
    boss, other = factories.manager(), factories.manager()
    model = model_with({"authority": "user", "user": boss, "name": "Boss"})
    change = change_factories.change(model=model)
    step = model.steps.get()
    client.force_login(factories.admin())
    url = f"/admin/changes/changemodel/{model.pk}/change/"
    assert client.get(url).status_code == 200
    steps = [{"id": step.pk, "order": 1, "name": "Boss", "min_risk": 1, "max_risk": 3, "authority": "user",
              "user": boss.pk, "rule": "any", "required": 1},
             {"order": 2, "name": "Other", "min_risk": 3, "max_risk": 3, "authority": "user", "user": other.pk,
              "rule": "any", "required": 1}]
    response = client.post(url, _admin_post(model, steps, description="v2"))
    assert response.status_code == 302, response.content.decode()[:3000]
    new = ChangeModel.objects.get(previous_version=model)
    assert new.version == 2 and new.description == "v2" and new.active and not fresh_model(model).active
    assert list(new.steps.values_list("name", flat=True)) == ["Boss", "Other"]
    assert list(model.steps.values_list("name", flat=True)) == ["Boss"]
    assert AuthorityStep.objects.get(pk=step.pk).model_id == model.pk
    assert fresh(change).model_id == model.pk
    bad = client.post(f"/admin/changes/changemodel/{new.pk}/change/", _admin_post(new, [
        {"order": 1, "name": "x", "min_risk": 3, "max_risk": 1, "authority": "board", "rule": "any",
         "required": 1}]))
    assert bad.status_code == 200 and ChangeModel.objects.count() == 2


def test_risk_question_options_are_validated_in_the_admin(client):
    client.force_login(factories.admin())
    base = {"text": "Rollback tested?", "help_text": "", "weight": 1, "order": 1, "active": "on"}
    bad = client.post("/admin/changes/riskquestion/add/", {**base, "options": '[{"label": "Yes", "score": 9}]'})
    assert bad.status_code == 200 and "at least two options" in bad.content.decode()
    good = client.post("/admin/changes/riskquestion/add/", {
        **base, "options": '[{"label": "Yes", "score": 0}, {"label": "No", "score": 4}]'})
    assert good.status_code == 302
