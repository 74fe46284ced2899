"""CAB meetings (changes.cab): the agenda from the changes awaiting a board, decisions settling the board's stage,
minutes, the pages and /api/v1/cab-meetings/."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from changes import cab, conflicts, services
from changes.models import AgendaItem, CabMeeting, Change
from core import approvals
from core.models import ApprovalStage, AuditEntry
from tests.support import change_factories, factories
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db
API = "/api/v1/cab-meetings/"


def fresh(change):
    return Change.objects.get(pk=change.pk)


@pytest.fixture
def setting():
    """A board of three (two approvals needed), a model asking it, and a change awaiting it."""
    members = [factories.agent() for _ in range(3)]
    board = change_factories.board(name="CAB", members=members, required=2)
    model = change_factories.change_model(name="Normal change", steps=[{"authority": "board", "board": board,
                                                                        "name": "CAB"}])
    agent = factories.agent()
    change = services.transition_change(change_factories.change(actor=agent, model=model), agent, "authorize")
    return {"board": board, "members": members, "model": model, "change": change, "agent": agent}


def meeting_for(board, **fields):
    return cab.create_meeting(factories.manager(), {"board": board, "starts_at": fields.pop(
        "starts_at", change_factories.window()[0]), **fields})


def test_the_agenda_is_built_from_the_changes_awaiting_the_board(setting):
    other = change_factories.change(model=change_factories.change_model(name="Other"))  # not awaiting
    services.transition_change(other, factories.agent(), "authorize")
    meeting = meeting_for(setting["board"])
    assert meeting.title == "CAB meeting"
    assert cab.build_agenda(meeting, factories.manager()) == 1
    assert cab.build_agenda(meeting, factories.manager()) == 0  # not twice
    assert list(meeting.agenda.values_list("change_id", flat=True)) == [setting["change"].pk]


def test_decisions_settle_the_boards_stage(setting):
    second = services.transition_change(change_factories.change(model=setting["model"]), setting["agent"],
                                        "authorize")
    third = services.transition_change(change_factories.change(model=setting["model"]), setting["agent"],
                                       "authorize")
    meeting = meeting_for(setting["board"])
    chair = setting["members"][0]
    cab.build_agenda(meeting, chair)
    cab.decide(meeting, chair, setting["change"], "approved", "Go")
    change = fresh(setting["change"])
    assert change.state == "scheduled" and change.authorised_at
    assert ApprovalStage.objects.get(ticket_id=change.pk).state == "approved"
    assert set(change.approvals.values_list("state", flat=True)) == {"skipped"}
    with pytest.raises(ValidationError) as error:
        cab.decide(meeting, chair, second, "rejected", "")
    assert "notes" in error.value.message_dict
    cab.decide(meeting, chair, second, "rejected", "Clashes with the audit")
    second = fresh(second)
    assert second.state == "rejected" and second.rejection_reason == "Clashes with the audit"
    cab.decide(meeting, chair, third, "deferred", "Needs a test plan")
    assert fresh(third).state == "authorize" and ApprovalStage.objects.get(ticket_id=third.pk).state == "open"
    item = AgendaItem.objects.get(meeting=meeting, change=third)
    assert item.decision == "deferred" and item.decided_by == chair and item.notes == "Needs a test plan"
    audit = AuditEntry.objects.get(ticket_id=second.pk, action="approval", changes__has_key="cab_decision")
    assert audit.changes["cab_decision"] == [None, "rejected"] and audit.actor == chair
    with pytest.raises(ValidationError):  # decided already: no open stage of the board
        cab.decide(meeting, chair, setting["change"], "approved")


def test_settle_stage_refuses_a_closed_stage(setting):
    stage = ApprovalStage.objects.get(ticket_id=setting["change"].pk)
    approvals.settle_stage(stage, setting["members"][0], True, "")
    with pytest.raises(ValidationError):
        approvals.settle_stage(stage, setting["members"][0], False, "Too late")


def test_only_managers_change_authorities_and_board_members_record(setting):
    meeting = meeting_for(setting["board"])
    outsider = factories.agent()
    with pytest.raises(Exception) as error:
        cab.build_agenda(meeting, outsider)
    assert type(error.value).__name__ == "PermissionDeniedError"
    with pytest.raises(Exception):
        cab.create_meeting(setting["members"][0], {"board": setting["board"], "starts_at": meeting.starts_at})


def test_the_api_lists_creates_shows_the_agenda_and_decides(api_as, setting, monkeypatch):
    manager = factories.manager()
    api = api_as(manager)
    start, end = change_factories.window(days=3)
    created = api.post(API, {"board": setting["board"].pk, "title": "Weekly CAB", "starts_at": start.isoformat(),
                             "ends_at": end.isoformat()}, format="json")
    assert created.status_code == 201, created.content
    meeting = CabMeeting.objects.get(pk=created.json()["id"])
    cab.build_agenda(meeting, manager)
    change = setting["change"]
    monkeypatch.setattr(conflicts, "for_changes", lambda changes: {change.pk: [
        {"kind": "ci_overlap", "change": 1, "blackout_window": None, "detail": "Same CI", "number": "CHG1"}]},
        raising=False)
    body = api.get(f"{API}{meeting.pk}/").json()
    row = body["agenda"][0]
    assert row["change"] == change.pk and row["change_number"] == change.number
    assert row["risk"]["level"] == "low" and row["planned_start"] and row["conflicts"][0]["detail"] == "Same CI"
    assert api.post(f"{API}{meeting.pk}/decide/", {"change": change.pk, "decision": "maybe"},
                    format="json").status_code == 400
    assert api.post(f"{API}{meeting.pk}/decide/", {"change": change.pk, "decision": "rejected"},
                    format="json").status_code == 400
    assert api.post(f"{API}{meeting.pk}/decide/", {"change": 2**40, "decision": "approved"},
                    format="json").status_code == 400
    decided = api.post(f"{API}{meeting.pk}/decide/", {"change": change.pk, "decision": "approved", "notes": "OK"},
                       format="json")
    assert decided.status_code == 200 and decided.json()["decision"] == "approved"
    assert fresh(change).state == "scheduled"
    listed = api.get(API).json()["results"]
    assert listed[0]["id"] == meeting.pk and listed[0]["agenda_size"] == 1


def test_api_bad_input_and_permissions(api_as, setting):
    agent, manager = factories.agent(), factories.manager()
    start = change_factories.window()[0].isoformat()
    assert api_as(agent).post(API, {"board": setting["board"].pk, "starts_at": start},
                              format="json").status_code == 403
    assert api_as(factories.requester()).get(API).status_code == 403
    missing = api_as(manager).post(API, {"starts_at": "soon"}, format="json")
    assert missing.status_code == 400 and {"board", "starts_at"} <= missing.json().keys()
    backwards = api_as(manager).post(API, {"board": setting["board"].pk, "starts_at": start,
                                           "ends_at": "2000-01-01T00:00:00Z"}, format="json")
    assert backwards.status_code == 400 and "ends_at" in backwards.json()
    meeting = meeting_for(setting["board"])
    assert api_as(agent).post(f"{API}{meeting.pk}/decide/", {"change": setting["change"].pk,
                                                             "decision": "approved"}, format="json").status_code == 403
    assert api_as(agent).get(f"{API}{2**70}/").status_code == 404


def test_the_list_reads_a_constant_number_of_queries(api_as, setting):
    api = api_as(factories.agent())
    meeting_for(setting["board"])
    api.get(API)
    few = count_queries(lambda: api.get(API))
    for _ in range(5):
        meeting_for(setting["board"])
    assert count_queries(lambda: api.get(API)) == few <= 8


def test_the_pages(client, setting):
    member = setting["members"][0]
    client.force_login(factories.manager())
    start = change_factories.window()[0].strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("cab:list"), {"board": setting["board"].pk, "starts_at": start})
    meeting = CabMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cab:detail", args=[meeting.pk])
    bad = client.post(reverse("cab:list"), {"board": "", "starts_at": ""})
    assert bad.status_code == 400
    client.force_login(member)
    assert client.get(reverse("cab:list")).status_code == 200
    assert client.post(reverse("cab:list"), {"board": setting["board"].pk, "starts_at": start}).status_code == 403
    assert client.post(reverse("cab:build", args=[meeting.pk])).status_code == 302
    item = meeting.agenda.get()
    page = client.get(reverse("cab:detail", args=[meeting.pk]))
    assert page.status_code == 200 and setting["change"].number in page.content.decode()
    decide = reverse("cab:decide", args=[meeting.pk, item.pk])
    refused = client.post(decide, {f"item{item.pk}-decision": "rejected", f"item{item.pk}-notes": ""})
    assert refused.status_code == 400 and fresh(setting["change"]).state == "authorize"
    approved = client.post(decide, {f"item{item.pk}-decision": "approved", f"item{item.pk}-notes": "Fine"})
    assert approved.status_code == 302 and fresh(setting["change"]).state == "scheduled"
    minutes = client.post(reverse("cab:minutes", args=[meeting.pk]), {"minutes": "One change approved.",
                                                                       "held": "on"})
    assert minutes.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == "held" and meeting.minutes == "One change approved." and meeting.ends_at


def test_requesters_and_outsiders_are_kept_out(client, setting):
    meeting = meeting_for(setting["board"])
    client.force_login(factories.requester())
    assert client.get(reverse("cab:list")).status_code == 403
    assert client.get(reverse("cab:detail", args=[meeting.pk])).status_code == 403
    client.force_login(factories.agent())
    assert client.post(reverse("cab:build", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("cab:detail", args=[999999])).status_code == 404
