"""Review fixes: requesters never approve or hear of changes, the change API's fixed fields, releases deployed only
once their changes are implemented, CAB decisions recorded once and never on one's own change, model versions'
"active", date bounds of the calendar and the reports, and portal orders of an unusable standard change."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from changes import cab, model_services, releases, services, templates
from changes.models import AgendaItem, Change, ChangeModel, Release
from core import approvals, hooks
from core import services as core_services
from core.models import Approval, ApprovalDelegation, Notification, Outbox, TicketWatcher
from core.periods import PeriodForm
from core.services import PermissionDeniedError
from tests.support import change_factories as cf
from tests.support import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/changes/"


# --- A: requesters never approve, decide or hear of a change -----------------------------------------------

def test_a_manager_who_delegated_to_a_requester_keeps_the_changes_approval():
    boss, stranger = factories.manager(), factories.requester()
    today = timezone.localdate()
    ApprovalDelegation.objects.create(user=boss, delegate=stranger, starts_on=today, ends_on=today)
    change = cf.change()
    stage = approvals.start_stage(change, factories.agent(), [boss, stranger])
    (approval,) = Approval.objects.filter(stage=stage)
    assert approval.approver == boss and approval.on_behalf_of is None
    assert not Notification.objects.filter(recipient=stranger).exists()
    assert not Outbox.objects.filter(recipient=stranger.email).exists()
    assert not approvals.may_decide(approval, stranger)
    assert not approvals.waiting_for(stranger).exists()
    with pytest.raises(PermissionDeniedError):
        approvals.decide(approval, stranger, True)
    assert approvals.decide(approval, boss, True).state == Approval.State.APPROVED


def test_a_change_with_only_requester_approvers_has_nobody_to_approve_it():
    with pytest.raises(ValidationError) as error:
        approvals.start_stage(cf.change(), factories.agent(), [factories.requester()])
    assert "approvers" in error.value.message_dict


def test_a_requester_delegate_still_decides_an_incident():
    boss, deputy = factories.manager(), factories.requester()
    today = timezone.localdate()
    ApprovalDelegation.objects.create(user=boss, delegate=deputy, starts_on=today, ends_on=today)
    stage = approvals.start_stage(factories.incident(), factories.agent(), [boss])
    assert Approval.objects.get(stage=stage).approver == deputy  # requester-visible kinds are unchanged


def test_the_requester_of_a_change_hears_nothing_of_it():
    alice, watcher, colleague, agent = (factories.requester(), factories.requester(), factories.agent(),
                                        factories.agent())
    change = cf.change(actor=agent)
    Change.objects.filter(pk=change.pk).update(requester=alice)  # set in the database: no form offers it
    change = Change.objects.get(pk=change.pk)
    for user in (watcher, colleague):
        TicketWatcher.objects.create(ticket_id=change.pk, user=user)
    core_services.add_comment(change, agent, "The firmware is staged.")
    Change.objects.filter(pk=change.pk).update(state="scheduled", authorised_at=timezone.now())
    change = services.transition_change(Change.objects.get(pk=change.pk), agent, "implement")
    services.transition_change(change, agent, "review", {"outcome": "successful"})
    assert Change.objects.get(pk=change.pk).resolved_at is not None
    assert not Notification.objects.filter(recipient__in=[alice, watcher]).exists()
    assert not Outbox.objects.filter(recipient__in=[alice.email, watcher.email]).exists()
    assert Notification.objects.filter(recipient=colleague).count() >= 2  # staff watchers still hear of it


def test_the_change_api_keeps_requester_organization_and_release_read_only(api_as):
    agent, alice = factories.agent(), factories.requester()
    org = factories.OrganizationFactory(name="Acme")
    release = cf.release()
    change = cf.change(actor=agent)
    response = api_as(agent).patch(f"{URL}{change.pk}/", {"requester": alice.pk, "organization": org.pk,
                                                          "release": release.pk}, format="json")
    assert response.status_code == 200, response.content
    change = Change.objects.get(pk=change.pk)
    assert (change.requester_id, change.organization_id, change.release_id) == (None, None, None)


def test_the_model_is_an_active_one_of_the_changes_type_and_chosen_on_create_only(api_as):
    api = api_as(factories.agent())
    normal = cf.change_model(name="Normal change")
    other = cf.change_model(name="Network change")
    emergency = cf.change_model(name="Emergency change", change_type="emergency")
    retired = cf.change_model(name="Old change", active=False)
    body = {"title": "Upgrade", "type": "normal", "planned_start": "2030-01-05T22:00:00Z",
            "planned_end": "2030-01-05T23:00:00Z"}
    for model in (emergency, retired):
        response = api.post(URL, {**body, "model": model.pk}, format="json")
        assert response.status_code == 400 and "model" in response.json(), response.content
    created = api.post(URL, {**body, "model": normal.pk}, format="json")
    assert created.status_code == 201 and created.json()["model"] == normal.pk
    pk = created.json()["id"]
    moved = api.patch(f"{URL}{pk}/", {"model": other.pk}, format="json")
    assert moved.status_code == 400 and "model" in moved.json()
    same = api.patch(f"{URL}{pk}/", {"model": normal.pk, "title": "Upgrade twice"}, format="json")
    assert same.status_code == 200 and Change.objects.get(pk=pk).model_id == normal.pk


# --- B: a release is deployed once its changes are implemented -----------------------------------------------

def test_a_release_with_unimplemented_or_failed_changes_is_not_deployed():
    manager = factories.manager()
    release = cf.release()
    done, waiting = cf.implemented(), cf.change()
    failed = cf.implemented(outcome="failed")
    Change.objects.filter(pk__in=[done.pk, waiting.pk, failed.pk]).update(release=release)
    with pytest.raises(ValidationError) as error:
        releases.deploy(release, manager)
    message = error.value.message_dict["changes"][0]
    assert waiting.number in message and failed.number in message and done.number not in message
    Change.objects.filter(pk__in=[waiting.pk, failed.pk]).update(release=None)
    assert releases.deploy(release, manager).state == Release.State.DEPLOYED


# --- C: CAB decisions ----------------------------------------------------------------------------------------

@pytest.fixture
def meeting():
    members = [factories.agent() for _ in range(3)]
    board = cf.board(name="CAB", members=members, required=2)
    model = cf.change_model(name="Normal change", steps=[{"authority": "board", "board": board, "name": "CAB"}])
    agent = factories.agent()
    change = services.transition_change(cf.change(actor=agent, model=model), agent, "authorize")
    meeting = cab.create_meeting(factories.manager(), {"board": board, "starts_at": cf.window()[0]})
    cab.build_agenda(meeting, members[0])
    return meeting, change, members, agent


def test_a_decided_item_is_not_decided_again_and_deferral_needs_the_open_stage(meeting):
    meeting, change, members, _agent = meeting
    cab.decide(meeting, members[0], change, "approved", "Go")
    for decision in ("rejected", "deferred", "approved"):
        with pytest.raises(ValidationError) as error:
            cab.decide(meeting, members[1], change, decision, "Changed our minds")
        assert "decision" in error.value.message_dict
    assert AgendaItem.objects.get(meeting=meeting, change=change).decision == "approved"
    later = cab.create_meeting(factories.manager(), {"board": meeting.board, "starts_at": cf.window(days=3)[0]})
    AgendaItem.objects.create(meeting=later, change=change)
    with pytest.raises(ValidationError) as error:
        cab.decide(later, members[0], change, "deferred", "Next time")
    assert "change" in error.value.message_dict
    assert AgendaItem.objects.get(meeting=later, change=change).decision == ""


@pytest.mark.parametrize("role", ["creator", "assignee", "requester"])
def test_nobody_decides_on_their_own_change(role, meeting):
    meeting, change, members, agent = meeting
    member = members[1]
    if role == "creator":
        Change.objects.filter(pk=change.pk).update(created_by=member)
    else:
        Change.objects.filter(pk=change.pk).update(**{role: member})
    for decision in ("approved", "deferred"):
        with pytest.raises(PermissionDeniedError):
            cab.decide(meeting, member, change, decision, "Mine")
    assert Change.objects.get(pk=change.pk).state == "authorize"
    assert cab.decide(meeting, members[0], change, "approved", "Go").decision == "approved"


# --- D: change model versions --------------------------------------------------------------------------------

def test_a_new_version_honours_active_and_one_version_is_active():
    first = model_services.save_model(None, {"name": "Normal change", "change_type": "normal", "active": True})
    cf.change(model=first)
    paused = model_services.save_version(first, {"description": "Draft", "active": False})
    assert paused.version == 2 and not paused.active
    assert not ChangeModel.objects.get(pk=first.pk).active
    live = model_services.save_model(paused, {"active": True})  # not in use: saved in place
    assert live.pk == paused.pk and live.active
    third = model_services.save_version(ChangeModel.objects.get(pk=first.pk), {"active": True})
    assert third.active and list(ChangeModel.objects.filter(name="Normal change", active=True)) == [third]
    assert model_services.save_model(ChangeModel.objects.get(pk=paused.pk), {"active": True}).active
    assert list(ChangeModel.objects.filter(name="Normal change", active=True).values_list("pk", flat=True)) == [
        paused.pk]


# --- E: date bounds --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["view=month&date=9999-12-15", "view=week&date=0001-01-01",
                                   "view=list&date=9000-12-31x", "view=week&date=1899-12-31"])
def test_calendar_dates_out_of_range_are_a_400(query, client):
    client.force_login(factories.agent())
    assert client.get(f"/changes/schedule/?{query}").status_code == 400


@pytest.mark.parametrize("url", ["/changes/reports/", "/problems/reports/"])
@pytest.mark.parametrize("query", ["end=9999-12-31", "start=0001-01-01", "start=0001-01-01&end=0001-01-05",
                                   "end=0001-01-01"])
def test_report_periods_out_of_range_are_never_a_500(url, query, client):
    client.force_login(factories.manager())
    assert client.get(f"{url}?{query}").status_code in (200, 400)


def test_the_period_form_bounds():
    assert not PeriodForm({"start": "1899-12-31", "end": "1900-01-05"}).is_valid()
    assert not PeriodForm({"end": "9001-01-01"}).is_valid()
    form = PeriodForm({"start": "9000-12-01", "end": "9000-12-31"})
    assert form.is_valid() and form.period().end.date() == date(9001, 1, 1)


# --- F: orders of an unusable standard change ----------------------------------------------------------------

def test_the_order_check_names_why_the_template_cannot_be_used():
    from tests.support import request_factories as rf

    assert templates.order_check in hooks.order_checks
    item = rf.catalog_item(name="Shared mailbox")
    assert templates.order_check(item, None) == ""
    template = cf.template(name="Mailbox access", catalog_item=item,
                           review_date=timezone.localdate() - timedelta(days=1))
    assert "lapsed" in templates.order_check(item, None)
    template.review_date = timezone.localdate() + timedelta(days=30)
    template.save()
    assert templates.order_check(item, None) == ""
