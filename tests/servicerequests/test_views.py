"""The request and task pages: queues, the request page for agents and for its requester, the task page and
the agents' "new request"."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from servicerequests import services
from servicerequests.models import ApproverType, FieldType, ServiceRequest, Task
from tests.support import factories
from tests.support import request_factories as rf
from tests.support.cmdb_factories import CIFactory

pytestmark = pytest.mark.django_db

FIELDS = [{"name": "model", "label": "Which model?", "type": FieldType.CHOICE, "choices": ["13 inch", "16 inch"]},
          {"name": "for_user", "label": "Who will use it?", "type": FieldType.USER},
          {"name": "dock", "label": "Docking station", "type": FieldType.CONFIGURATION_ITEM},
          {"name": "quote", "label": "Supplier quote", "type": FieldType.ATTACHMENT}]


@pytest.fixture
def setting():
    team = factories.TeamFactory(name="Workplace", members=[factories.agent(username="wp-agent")])
    org = factories.OrganizationFactory(name="Acme")
    requester = factories.requester(username="ann", first_name="Ann", last_name="Lee", organization=org)
    colleague = factories.requester(username="bob", first_name="Bob", last_name="Ray", organization=org)
    item = rf.offer_to(rf.catalog_item(name="New laptop", team=team, fields=FIELDS, tasks=[
        (1, "Order the laptop"), (2, "Hand the laptop over")],
        approvals=[{"approver": ApproverType.USER, "user": factories.manager(username="boss")}]), org)
    dock = CIFactory(name="DOCK-0042", organization=org)
    upload = SimpleUploadedFile("quote.txt", b"quote 1200 EUR", content_type="text/plain")
    request = rf.service_request(actor=requester, item=item, files={"quote": upload}, variables={
        "model": "16 inch", "for_user": colleague.pk, "dock": dock.pk, "quote": "quote.txt"})
    return team, requester, item, request


def page(client, user, name, *args, **params):
    client.force_login(user)
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_request_page_for_agents(setting, client):
    team, _requester, _item, request = setting
    html = page(client, factories.agent(), "requests:detail", request.pk)
    for text in ("Which model?", "16 inch", "Who will use it?", "Bob Ray", "DOCK-0042", "Supplier quote",
                 "Waiting for approval", "Fulfilment plan", "Order the laptop", "Hand the laptop over",
                 "Not started"):
        assert text in html, text
    attachment = request.attachments.get()
    assert reverse("attachment_download", args=[attachment.pk]) in html
    assert "Mark fulfilled" not in html  # awaiting approval: the plan moves it on


def test_the_plan_lists_tasks_by_stage_with_links(setting, client):
    team, _requester, _item, request = setting
    rf.decide(request, True, factories.manager(username="boss"))
    order, handover = Task.objects.filter(request=request).order_by("stage")
    html = page(client, factories.agent(), "requests:detail", request.pk)
    assert reverse("tasks:detail", args=[order.pk]) in html and order.number in html
    assert handover.number in html and "Waiting for an earlier stage" in html


def test_the_requester_sees_their_answers_but_no_tasks(setting, client):
    _team, requester, _item, request = setting
    rf.decide(request, True, factories.manager(username="boss"))
    html = page(client, requester, "requests:detail", request.pk)
    assert "16 inch" in html and "Bob Ray" in html and "Expected by" in html
    assert "Fulfilment plan" not in html and "TASK" not in html and "Order the laptop" not in html
    assert "Fulfilment stage" not in html  # the plan's stage is the desk's business, in the timeline too
    assert 'value="cancelled"' not in html  # in fulfilment: only the service desk cancels


def test_the_requester_may_cancel_while_awaiting_approval(setting, client):
    _team, requester, _item, request = setting
    html = page(client, requester, "requests:detail", request.pk)
    assert 'value="cancelled"' in html and "Cancel request" in html
    assert "Counted from the approval" in html  # no date before the clock runs
    response = client.post(reverse("requests:action", args=[request.pk, "transition"]),
                           {"to": "cancelled", "cancelled-cancel_reason": "Found one", "cancelled-version":
                            request.version})
    assert response.status_code == 302
    assert ServiceRequest.objects.get(pk=request.pk).state == "cancelled"


def test_a_rejected_request_shows_the_reason(setting, client):
    _team, requester, _item, request = setting
    rf.decide(request, False, factories.manager(username="boss"), "Use the spare pool")
    assert "Use the spare pool" in page(client, requester, "requests:detail", request.pk)


def test_the_task_page_shows_its_request_and_completes_with_notes(setting, client):
    _team, _requester, _item, request = setting
    rf.decide(request, True, factories.manager(username="boss"))
    task = Task.objects.filter(request=request).order_by("stage").first()
    agent = factories.agent()
    html = page(client, agent, "tasks:detail", task.pk)
    for text in (request.number, "New laptop", "Ann Lee", "16 inch", "Instructions for Order the laptop",
                 reverse("requests:detail", args=[request.pk])):
        assert text in html, text
    response = client.post(reverse("tasks:action", args=[task.pk, "transition"]),
                           {"to": "done", "done-resolution_notes": "Ordered", "done-version": task.version})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.state, task.resolution_notes) == ("done", "Ordered")
    assert Task.objects.get(request=request, stage=2).state == "open"


def test_the_queues_show_item_expected_date_and_request(setting, client):
    _team, _requester, _item, request = setting
    agent = factories.agent()
    html = page(client, agent, "requests:list")
    assert request.number in html and "New laptop" in html and "Expected by" in html
    rf.decide(request, True, factories.manager(username="boss"))
    html = page(client, agent, "tasks:list")
    assert reverse("requests:detail", args=[request.pk]) in html and request.number in html


def test_agents_order_an_item_for_someone(setting, client):
    _team, requester, item, _request = setting
    agent = factories.agent()
    html = page(client, agent, "requests:create")
    assert "New laptop" in html
    html = page(client, agent, "requests:create", item=item.pk)
    assert 'name="request-requester"' in html
    response = client.post(f"{reverse('requests:create')}?item={item.pk}",
                           {"item": item.pk, "request-requester": requester.pk, "request-title": ""})
    assert response.status_code == 302
    created = ServiceRequest.objects.latest("id")
    assert (created.requester, created.title, created.channel, created.created_by) == (
        requester, "New laptop", "phone", agent)
    response = client.post(f"{reverse('requests:create')}?item={item.pk}", {"item": item.pk})
    assert response.status_code == 400 and ServiceRequest.objects.count() == 2


def test_requesters_do_not_order_through_the_agents_page(setting, client):
    _team, requester, item, _request = setting
    client.force_login(requester)
    assert client.get(reverse("requests:create"), {"item": item.pk}).status_code == 403
    assert client.get(reverse("tasks:list")).status_code == 302


def test_cancelling_from_the_page_cancels_the_tasks(setting, client):
    _team, _requester, _item, request = setting
    rf.decide(request, True, factories.manager(username="boss"))
    services.cancel_request(ServiceRequest.objects.get(pk=request.pk), factories.agent(), "No longer needed")
    assert set(Task.objects.filter(request=request).values_list("state", flat=True)) == {"cancelled"}
