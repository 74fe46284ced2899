"""The fulfilment plan: approvals in order (with fallbacks), tasks by stage, fulfilment, cancelling and routing.
core.approvals is stood in for (conftest.py); a decision is simulated with request_factories.decide."""

from datetime import datetime, timezone as tz
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core import services as core_services
from core.approval_models import ApprovalStage
from core.models import AuditEntry, Comment, Profile
from core.workflow import TransitionError
from servicerequests import services
from servicerequests.expected import Expected
from servicerequests.models import ApproverType, RequestType, ServiceRequest, Task
from servicerequests.task_services import transition_task
from slm.models import SatisfactionSurvey
from tests.support import factories
from tests.support import request_factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    agent = factories.agent(username="desk-agent")
    return factories.TeamFactory(name="Desk", members=[agent]), agent


def laptop(team, **extra):
    """Stage 1: order and image in parallel; stage 2: hand over."""
    return rf.catalog_item(team=team, tasks=[(1, "Order the laptop"), (1, "Prepare the image"),
                                             (2, "Hand the laptop over")], **extra)


def tasks_of(request):
    return list(Task.objects.filter(request=request).order_by("stage", "id"))


def done(task, agent, notes=""):
    return transition_task(task, agent, "done", {"resolution_notes": notes} if notes else {})


def fresh(request):
    return ServiceRequest.objects.get(pk=request.pk)


def test_a_standard_item_skips_approval_and_starts_its_first_stage(desk, approvals_stand_in):
    team, agent = desk
    organization = factories.OrganizationFactory()
    requester = factories.requester(organization=organization)
    request = rf.service_request(actor=requester, item=rf.offer_to(laptop(team), organization))
    assert request.requester == requester and request.organization == organization
    assert request.state == "in_fulfilment" and request.stage == 1
    order, image, handover = tasks_of(request)
    assert [t.state for t in (order, image, handover)] == ["open", "open", "pending"]
    assert (order.team, order.requester, order.organization_id, order.description) == (
        team, None, request.organization_id, "Instructions for Order the laptop")
    assert not approvals_stand_in[0].called


def test_stages_run_in_sequence_and_the_request_is_fulfilled_with_the_tasks_notes(desk):
    team, agent = desk
    requester = factories.requester(organization=factories.OrganizationFactory())
    request = rf.service_request(actor=agent, item=laptop(team), requester=requester)
    order, image, handover = tasks_of(request)
    done(order, agent, "Ordered from the framework supplier")
    assert Task.objects.get(pk=handover.pk).state == "pending"  # image still open: stage 2 waits
    transition_task(image, agent, "cancelled", {"cancel_reason": "Ships with the standard image"})
    assert Task.objects.get(pk=handover.pk).state == "open" and fresh(request).stage == 2
    assert fresh(request).state == "in_fulfilment"
    done(Task.objects.get(pk=handover.pk), agent, "Handed over to the user")
    request = fresh(request)
    assert request.state == "fulfilled" and request.resolved_at is not None
    assert "- Order the laptop: Ordered from the framework supplier" in request.resolution_notes
    assert "- Prepare the image: Cancelled" in request.resolution_notes
    assert "- Hand the laptop over: Handed over to the user" in request.resolution_notes
    entry = AuditEntry.objects.filter(ticket_id=request.pk, action="transitioned").latest("id")
    assert entry.changes["state"] == ["in_fulfilment", "fulfilled"] and entry.actor == agent
    # the requester is asked for satisfaction on the request; tasks never ask anyone
    assert SatisfactionSurvey.objects.filter(ticket_id=request.pk, requester=requester).exists()
    assert not SatisfactionSurvey.objects.filter(ticket__kind="task").exists()


def test_tasks_are_completed_through_the_api(desk, api_as):
    team, agent = desk
    request = rf.service_request(actor=agent, item=rf.catalog_item(team=team, tasks=[(1, "Reset the token")]),
                                 requester=factories.requester())
    (task,) = tasks_of(request)
    response = api_as(agent).post(f"/api/v1/tasks/{task.pk}/transition/",
                                  {"to": "done", "resolution_notes": "New token sent"}, format="json")
    assert response.status_code == 200, response.content
    assert fresh(request).state == "fulfilled"


def test_a_survey_is_never_sent_for_a_requester_hidden_kind(desk):
    team, agent = desk
    task = rf.task(actor=agent)
    Task.objects.filter(pk=task.pk).update(requester=factories.requester())  # even a task naming someone
    done(Task.objects.get(pk=task.pk), agent)
    assert not SatisfactionSurvey.objects.filter(ticket_id=task.pk).exists()


def test_approvals_run_in_order_then_fulfilment_starts(desk, approvals_stand_in):
    team, agent = desk
    boss, reviewer = factories.requester(), factories.manager()
    group = factories.TeamFactory(name="Licence board", members=[reviewer])
    requester = factories.requester()
    Profile.objects.filter(user=requester).update(manager=boss)
    item = laptop(team, approvals=[{"approver": ApproverType.REQUESTER_MANAGER},
                                   {"approver": ApproverType.GROUP, "group": group, "rule": "all"}])
    request = rf.service_request(actor=agent, item=item, requester=requester)
    assert request.state == "awaiting_approval" and not tasks_of(request)
    start = approvals_stand_in[0]
    assert start.call_args.args[2] == [boss] and start.call_args.kwargs["order"] == 1
    rf.decide(request, True, boss, "Fine by me")
    assert fresh(request).state == "awaiting_approval"
    assert start.call_args.args[2] == [reviewer] and start.call_args.kwargs["rule"] == "all"
    rf.decide(request, True, reviewer)
    request = fresh(request)
    assert request.state == "in_fulfilment" and len(tasks_of(request)) == 3
    entry = AuditEntry.objects.filter(ticket_id=request.pk, action="transitioned").latest("id")
    assert entry.changes["state"] == ["awaiting_approval", "in_fulfilment"] and entry.actor == reviewer
    # the plan's moves are never offered to anyone
    assert "in_fulfilment" not in {t.to for t in core_services.allowed_transitions(
        ServiceRequest.objects.create(kind="request", state="awaiting_approval", catalog_item=item,
                                      request_type=item.request_type, title="x", number="REQ9999999"), agent)}


def test_a_rejection_ends_the_request_with_the_approvers_comment(desk):
    team, agent = desk
    owner = factories.manager()
    item = laptop(team, service=factories.ServiceFactory(name="Laptops", owner=owner),
                  approvals=[{"approver": ApproverType.SERVICE_OWNER}])
    request = rf.service_request(actor=agent, item=item, requester=factories.requester())
    rf.decide(request, False, owner, "Not in this year's budget")
    request = fresh(request)
    assert (request.state, request.rejection_reason) == ("rejected", "Not in this year's budget")
    assert request.closed_at and not tasks_of(request)


def test_nobody_approves_their_own_request(desk, approvals_stand_in):
    team, agent = desk
    owner = factories.manager(username="laptop-owner")
    requester = factories.requester()
    Profile.objects.filter(user=requester).update(manager=requester)
    item = laptop(team, service=factories.ServiceFactory(name="Laptops", owner=owner),
                  approvals=[{"approver": ApproverType.REQUESTER_MANAGER}, {"approver": ApproverType.USER,
                                                                             "user": requester}])
    request = rf.service_request(actor=agent, item=item, requester=requester)
    assert approvals_stand_in[0].call_args.args[2] == [owner]  # the service owner instead
    rf.decide(request, True, owner)
    assert approvals_stand_in[0].call_args.args[2] == [owner]


def test_a_step_nobody_but_the_requester_could_approve_is_skipped_with_a_note(desk, approvals_stand_in):
    team, _agent = desk
    requester = factories.agent(username="sole-owner")
    lonely = factories.TeamFactory(name="Lonely", members=[requester])
    item = rf.catalog_item(team=lonely, service=factories.ServiceFactory(name="Own", owner=requester),
                           approvals=[{"approver": ApproverType.SERVICE_OWNER}])
    request = rf.service_request(actor=requester, item=item, requester=requester)
    assert fresh(request).state == "in_fulfilment" and not approvals_stand_in[0].called
    note = Comment.objects.get(ticket_id=request.pk)
    assert note.is_internal and "skipped" in note.body


def test_falling_back_to_the_teams_manager(desk, approvals_stand_in):
    team, agent = desk
    lead = factories.manager(username="desk-lead")
    team.manager = lead
    team.save()
    item = laptop(team, approvals=[{"approver": ApproverType.REQUESTER_MANAGER}])
    rf.service_request(actor=agent, item=item, requester=factories.requester())
    assert approvals_stand_in[0].call_args.args[2] == [lead]


def test_cancelling_cascades_to_open_tasks_and_approval_stages(desk, approvals_stand_in):
    team, agent = desk
    request = rf.service_request(actor=agent, item=laptop(team), requester=factories.requester())
    order, image, handover = tasks_of(request)
    done(order, agent)
    services.cancel_request(fresh(request), agent, "The new starter did not join")
    assert [t.state for t in tasks_of(request)] == ["done", "cancelled", "cancelled"]
    assert "did not join" in fresh(request).cancel_reason
    assert approvals_stand_in[1].call_count == 1
    assert fresh(request).state == "cancelled"


def test_the_requester_cancels_while_awaiting_approval_only(desk, api_as):
    team, agent = desk
    requester = factories.requester()
    item = laptop(team, approvals=[{"approver": ApproverType.USER, "user": factories.manager()}])
    request = rf.service_request(actor=agent, item=item, requester=requester)
    url = f"/api/v1/requests/{request.pk}/transition/"
    response = api_as(requester).post(url, {"to": "cancelled", "cancel_reason": "Found a spare one"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert ApprovalStage.objects.get(ticket_id=request.pk).state == "cancelled"
    standard = rf.service_request(actor=agent, item=laptop(team), requester=requester)
    response = api_as(requester).post(f"/api/v1/requests/{standard.pk}/transition/",
                                      {"to": "cancelled", "cancel_reason": "Too late"}, format="json")
    assert response.status_code == 403 and fresh(standard).state == "in_fulfilment"


def test_an_information_request_waits_for_an_agent_and_open_tasks_block_fulfilment(desk):
    team, agent = desk
    request = rf.service_request(actor=agent, item=rf.catalog_item(team=team, name="Question"),
                                 requester=factories.requester())
    assert request.state == "in_fulfilment" and not tasks_of(request)
    extra = rf.task(actor=agent, request=request, title="Ask the licence desk", team=team)
    with pytest.raises(TransitionError):
        services.transition_request(fresh(request), agent, "fulfilled", {"resolution_notes": "Answered"})
    done(extra, agent, "They said yes")
    assert fresh(request).state == "in_fulfilment"  # tasks added by hand: the agent answers, then fulfils
    request = services.transition_request(fresh(request), agent, "fulfilled", {"resolution_notes": "Answered"})
    assert request.state == "fulfilled"


def test_resuming_a_request_whose_tasks_finished_on_hold_fulfils_it(desk):
    team, agent = desk
    request = rf.service_request(actor=agent, item=rf.catalog_item(team=team, tasks=[(1, "Unlock")]),
                                 requester=factories.requester())
    services.transition_request(request, agent, "on_hold", {"on_hold_reason": "User on leave"})
    done(tasks_of(request)[0], agent)
    assert fresh(request).state == "on_hold"
    services.transition_request(fresh(request), agent, "in_fulfilment")
    assert fresh(request).state == "fulfilled"


def test_feedback_goes_to_the_service_owner(desk):
    team, agent = desk
    owner = factories.agent(username="mail-owner")
    team.members.add(owner)
    service = factories.ServiceFactory(name="Mail", owner=owner)
    complaint = rf.catalog_item(name="Complaint", team=team, service=service, request_type=RequestType.FEEDBACK)
    request = rf.service_request(actor=agent, item=complaint, requester=factories.requester())
    assert (request.team, request.assignee) == (team, owner)
    business_owner = factories.requester(username="business-owner")
    other = rf.catalog_item(name="Compliment", team=team, request_type=RequestType.FEEDBACK,
                            service=factories.ServiceFactory(name="Canteen", owner=business_owner))
    request = rf.service_request(actor=agent, item=other, requester=factories.requester())
    assert (request.team, request.assignee) == (team, None)


def test_expected_date_title_and_attachments_come_from_the_item(desk):
    team, agent = desk
    due = datetime(2026, 12, 3, 17, 0, tzinfo=tz.utc)
    item = rf.catalog_item(name="Software install", team=team, fields=[
        {"name": "product", "label": "Product", "type": "text", "required": True},
        {"name": "quote", "label": "Quote", "type": "attachment"}])
    upload = SimpleUploadedFile("quote.txt", b"licence quote", content_type="text/plain")
    with mock.patch("servicerequests.services.expected_fulfilment",
                    return_value=Expected(target_seconds=2 * 8 * 3600, due_at=due, business_hours=True)):
        request = rf.service_request(actor=agent, item=item, requester=factories.requester(),
                                     variables={"product": "Visio"}, files={"quote": upload})
    assert (request.title, request.expected_by, request.service, request.request_type) == (
        "Software install", due, item.service, item.request_type)
    assert request.variables == {"product": "Visio", "quote": "quote.txt"}
    assert request.attachments.get().filename == "quote.txt"
    created = AuditEntry.objects.get(ticket_id=request.pk, action="created")
    assert created.actor == agent and created.changes["catalog_item"] == [None, item.pk]
    assert AuditEntry.objects.filter(ticket_id=request.pk, action="attached").exists()


def test_the_expected_date_is_counted_again_from_the_approval(desk):
    team, agent = desk
    boss, requester = factories.requester(), factories.requester()
    Profile.objects.filter(user=requester).update(manager=boss)
    item = laptop(team, approvals=[{"approver": ApproverType.REQUESTER_MANAGER}])
    submitted = datetime(2026, 12, 1, 17, 0, tzinfo=tz.utc)
    approved = datetime(2026, 12, 8, 9, 0, tzinfo=tz.utc)

    def expected(item, organization=None, start=None):
        from django.utils import timezone

        return Expected(target_seconds=8 * 3600, due_at=timezone.now() + (approved - submitted), business_hours=True)

    with mock.patch("servicerequests.services.expected_fulfilment", side_effect=expected), \
            mock.patch("servicerequests.plan.expected_fulfilment", side_effect=expected), \
            mock.patch("django.utils.timezone.now", return_value=submitted):
        request = rf.service_request(actor=agent, item=item, requester=requester)
    first = fresh(request).expected_by
    with mock.patch("servicerequests.plan.expected_fulfilment", side_effect=expected), \
            mock.patch("django.utils.timezone.now", return_value=approved):
        rf.decide(request, True, boss)
    request = fresh(request)
    assert request.state == "in_fulfilment" and request.expected_by == first + (approved - submitted)
    entry = AuditEntry.objects.filter(ticket_id=request.pk, action="transitioned").latest("id")
    assert entry.changes["expected_by"][1].startswith("2026-12-15")


def test_tasks_are_added_only_in_fulfilment_and_a_rejection_closes_what_is_left(desk):
    from core.approval_models import ApprovalStage

    team, agent = desk
    boss, requester = factories.requester(), factories.requester()
    Profile.objects.filter(user=requester).update(manager=boss)
    request = rf.service_request(actor=agent, item=laptop(team, approvals=[
        {"approver": ApproverType.REQUESTER_MANAGER}]), requester=requester)
    with pytest.raises(ValidationError) as refused:
        rf.task(actor=agent, request=request)
    assert "request" in refused.value.message_dict
    rf.decide(request, False, boss, "Not this year")
    request = fresh(request)
    assert request.state == "rejected" and request.rejection_reason == "Not this year"
    assert not ApprovalStage.objects.filter(ticket_id=request.pk, state="open").exists()
