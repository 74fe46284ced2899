"""A standard change ordered from the portal as a catalogue item: when the request goes into fulfilment the change is
raised from the item's template, linked to the request, and named in a work note. An item whose template is unusable
is refused when ordered; a template that lapses between the order and its approval is a work note, not a failure."""

from datetime import timedelta

import pytest
from django.utils import timezone

from changes.models import Change
from core.models import Comment, LinkKind, TicketLink
from servicerequests.models import ApproverType, ServiceRequest
from tests.support import change_factories as cf
from tests.support import factories
from tests.support import request_factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    org = factories.OrganizationFactory(name="Acme")
    me = factories.requester(organization=org, username="alice")
    item = rf.offer_to(rf.catalog_item(name="Access to a shared mailbox", tasks=[(1, "Tell the requester")]), org)
    template = cf.template(name="Add a user to a shared mailbox", catalog_item=item,
                           review_date=timezone.localdate() + timedelta(days=60))
    return me, item, template


def order(api, item, **body):
    return api.post("/api/v1/requests/", {"catalog_item": item.pk, "variables": {}, **body}, format="json")


def work_notes(request_id):
    return list(Comment.objects.filter(ticket_id=request_id, is_internal=True).values_list("body", flat=True))


def test_ordering_the_item_raises_the_standard_change(world, api_as):
    me, item, template = world
    response = order(api_as(me), item)
    assert response.status_code == 201, response.content
    request = response.json()
    assert request["state"] == "in_fulfilment"
    change = Change.objects.get()
    assert (change.change_type, change.template_id, change.state) == ("standard", template.pk, "scheduled")
    assert request["number"] in change.reason
    assert TicketLink.objects.filter(source_id=request["id"], target=change, kind=LinkKind.RELATED).exists()
    (note,) = work_notes(request["id"])
    assert change.number in note and template.name in note
    assert ServiceRequest.objects.get(pk=request["id"]).tasks.count() == 1  # the plan goes on
    # requesters never see changes: neither the work note nor the linked change reach them
    mine = api_as(me).get(f"/api/v1/requests/{request['id']}/").json()
    assert change.number not in str(mine)
    staff = api_as(factories.agent()).get(f"/api/v1/changes/{change.pk}/")
    assert staff.status_code == 200 and staff.json()["template"] == template.pk


def test_with_approval_the_change_waits_for_fulfilment(world, api_as):
    me, item, template = world
    boss = factories.manager(username="boss")
    item.needs_approval = True
    item.save()
    item.approval_steps.create(order=1, approver=ApproverType.USER, user=boss)
    request = order(api_as(me), item).json()
    assert request["state"] == "awaiting_approval" and not Change.objects.exists()
    rf.decide(ServiceRequest.objects.get(pk=request["id"]), approved=True)
    change = Change.objects.get()
    assert change.template_id == template.pk and change.created_by == boss  # the deciding manager, as the plan acts
    assert TicketLink.objects.filter(source_id=request["id"], target=change).exists()


@pytest.mark.parametrize("state, review_days, words", [
    ("retired", 60, "retired"), ("proposed", 60, "not published"), ("published", -1, "lapsed")])
def test_an_item_whose_template_is_unusable_is_refused_at_order_time(state, review_days, words, world, api_as):
    me, item, template = world
    template.state, template.review_date = state, timezone.localdate() + timedelta(days=review_days)
    template.save()
    for actor in (me, factories.agent()):
        response = order(api_as(actor), item, **({} if actor == me else {"requester": me.pk}))
        assert response.status_code == 400, response.content
        assert words in " ".join(response.json()["catalog_item"])
    assert not ServiceRequest.objects.exists() and not Change.objects.exists()


def test_a_template_lapsing_before_the_approval_is_a_work_note_and_the_request_goes_on(world, api_as):
    me, item, template = world
    item.needs_approval = True
    item.save()
    item.approval_steps.create(order=1, approver=ApproverType.USER, user=factories.manager(username="boss"))
    request = order(api_as(me), item).json()
    assert request["state"] == "awaiting_approval"
    template.review_date = timezone.localdate() - timedelta(days=1)  # lapses while the approval waits
    template.save()
    rf.decide(ServiceRequest.objects.get(pk=request["id"]), approved=True)
    assert not Change.objects.exists()
    (note,) = work_notes(request["id"])
    assert "No standard change was raised" in note and "lapsed" in note
    assert ServiceRequest.objects.get(pk=request["id"]).tasks.count() == 1


def test_items_without_a_template_are_untouched(api_as):
    org = factories.OrganizationFactory(name="Acme")
    me = factories.requester(organization=org)
    item = rf.offer_to(rf.catalog_item(name="Mouse", tasks=[(1, "Send a mouse")]), org)
    request = order(api_as(me), item).json()
    assert not Change.objects.exists() and work_notes(request["id"]) == []


def test_an_agent_ordering_for_a_requester_raises_it_as_the_agent(world, api_as):
    me, item, template = world
    agent = factories.agent()
    response = order(api_as(agent), item, requester=me.pk)
    assert response.status_code == 201, response.content
    change = Change.objects.get()
    assert change.created_by == agent and Comment.objects.get(ticket_id=response.json()["id"]).author == agent
