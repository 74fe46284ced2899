"""The service request journey in Chromium: a requester orders "New laptop" (a choice field) from the portal
and sees when it is expected before sending; their manager approves it from My work; an agent completes the
fulfilment task; the requester sees the request fulfilled and rates it (the satisfaction survey)."""

import pytest

from core import hooks
from core.models import Profile
from servicerequests.models import (ApprovalStep, ApproverType, CatalogCategory, CatalogItem, FieldType, Icon,
                                    ItemField, ServiceRequest, TaskTemplate)
from tests.support import factories
from tests.support.browser import login
from tests.support.slm_factories import TargetFactory, calendar

@pytest.fixture
def laptop_world(db):
    acme = factories.OrganizationFactory(name="Acme")
    workplace = factories.ServiceFactory(name="Workplace")
    workplace.customers.add(acme)
    boss = factories.manager(username="boss", first_name="Bo", last_name="Boss", organization=acme)
    mei = factories.requester(username="mei", first_name="Mei", last_name="Lin", organization=acme)
    Profile.objects.filter(user=mei).update(manager=boss)
    agent = factories.agent(username="it-agent", first_name="Ian", last_name="Tech")
    it = factories.TeamFactory(name="IT provisioning", members=[agent])
    TargetFactory(agreement__organization=acme, ticket_kind="request", target_seconds=2 * 9 * 3600,
                  calendar=calendar("Office hours", timezone="UTC"))
    item = CatalogItem.objects.create(
        name="New laptop", summary="A standard laptop with the company image", icon=Icon.LAPTOP,
        category=CatalogCategory.objects.create(name="Hardware"), service=workplace, team=it,
        description="For new starters and broken machines.", needs_approval=True)
    ItemField.objects.create(item=item, order=1, name="model", label="Model", type=FieldType.CHOICE,
                             required=True, choices=["14 inch", "16 inch"])
    ApprovalStep.objects.create(item=item, order=1, approver=ApproverType.REQUESTER_MANAGER)
    TaskTemplate.objects.create(item=item, stage=1, title="Prepare the laptop", team=it)
    return {"item": item, "mei": mei, "boss": boss, "agent": agent}


def session(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30000)
    login(page, live_server, username)
    return context, page


@pytest.mark.django_db(transaction=True)
def test_order_approve_fulfil_and_rate_a_new_laptop(browser, live_server, laptop_world):
    # The requester orders from the portal and sees when to expect it before sending.
    mei, page = session(browser, live_server, "mei")
    page.click(".item-card a:has-text('New laptop')")
    page.wait_for_selector("#order-form")
    assert "expected by" in page.inner_text("#expected-fulfilment").lower()
    page.select_option("select[name=model]", "16 inch")
    page.screenshot(path="/tmp/ui-journey-order.png", full_page=True)
    page.click("#submit-order")
    page.wait_for_selector("#ticket")
    request = ServiceRequest.objects.get(catalog_item=laptop_world["item"])
    assert request.variables["model"] == "16 inch" and request.requester == laptop_world["mei"]
    assert request.number in page.inner_text("#ticket") and "Awaiting approval" in page.inner_text("#state")

    # The manager approves it from My work.
    boss_context, boss = session(browser, live_server, "boss")
    waiting = boss.locator("#approvals-waiting").locator("li, tr, article", has_text=request.number).first
    waiting.locator("button:has-text('Approve')").click()
    boss.wait_for_load_state()
    request.refresh_from_db()
    assert request.state == "in_fulfilment"
    boss_context.close()

    # The agent completes the fulfilment task.
    task = request.tasks.get()
    agent_context, agent = session(browser, live_server, "it-agent")
    agent.goto(f"{live_server.url}{hooks.ticket_kinds['task'].url('detail', task.pk)}")
    agent.click("summary.transition-done")
    agent.click("button[name=submit-done]")
    agent.wait_for_selector("#state:has-text('Done')")
    agent_context.close()

    # The requester sees it fulfilled and rates it.
    page.reload()
    page.wait_for_selector("#state:has-text('Fulfilled')")
    page.check("#ticket-survey input[name=rating][value='5']")
    page.click("#ticket-survey button[type=submit]")
    page.wait_for_selector("#survey-answered")
    assert "5 out of 5" in page.inner_text("#survey-answered")
    page.screenshot(path="/tmp/ui-journey-fulfilled.png", full_page=True)
    mei.close()
