"""The self-service portal on a phone (390 px wide): the home page, the catalogue, an order page and the ticket
page fit without horizontal scrolling, and "Report a problem" sits in the page, never over the list."""

import pytest

from core import hooks
from servicerequests.models import CatalogCategory, CatalogItem, Icon
from tests.support import factories
from tests.support.browser import login

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url} is {width} px wide in a {viewport} px window"


def overlaps(a, b):
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.fixture
def portal_world(db):
    acme = factories.OrganizationFactory(name="Acme")
    workplace = factories.ServiceFactory(name="Workplace")
    workplace.customers.add(acme)
    hardware = CatalogCategory.objects.create(name="Hardware", order=1)
    access = CatalogCategory.objects.create(name="Access and accounts", order=2)
    laptop = CatalogItem.objects.create(
        name="New laptop", summary="A standard 14-inch laptop with the company image", category=hardware,
        service=workplace, icon=Icon.LAPTOP, description="For new starters and broken machines.")
    CatalogItem.objects.create(name="VPN access", summary="Work from home securely", category=access,
                               service=workplace, icon=Icon.KEY)
    CatalogItem.objects.create(name="Password reset", summary="Locked out of your account?", category=access,
                               service=workplace, icon=Icon.LOCK)
    mei = factories.requester(username="mobile-mei", first_name="Mei", last_name="Lin", organization=acme)
    agent = factories.agent(username="mobile-agent")
    incidents = [factories.incident(actor=agent, requester=mei, service=workplace,
                                    title=f"Printer on floor {n} prints blank pages after the update")
                 for n in range(1, 7)]
    return {"mei": mei, "laptop": laptop, "incident": incidents[0]}


def new_page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30000)
    return context, page


@pytest.mark.django_db(transaction=True)
def test_portal_home_catalogue_order_and_ticket_page_fit_a_phone(browser, live_server, portal_world):
    context, page = new_page(browser, PHONE)
    login(page, live_server, "mobile-mei")
    page.wait_for_selector("#my-ticket-list")
    no_horizontal_scroll(page)
    report, tickets = page.locator("#report-problem"), page.locator("#my-ticket-list")
    assert not overlaps(report.bounding_box(), tickets.bounding_box())
    assert page.evaluate("document.getElementById('report-problem').open") is False  # one tap away on a phone
    page.screenshot(path="/tmp/ui-portal-home-390.png", full_page=True)

    page.click("#report-problem > summary")
    page.wait_for_selector("#id_title", state="visible")
    no_horizontal_scroll(page)
    assert not overlaps(report.bounding_box(), tickets.bounding_box())
    position = page.evaluate("getComputedStyle(document.getElementById('report-problem')).position")
    assert position in ("static", "relative")
    page.screenshot(path="/tmp/ui-portal-home-390-report.png", full_page=True)

    for path, shot in (("/portal/catalog/", "catalog"), (f"/portal/catalog/{portal_world['laptop'].pk}/", "order"),
                       (f"/incidents/{portal_world['incident'].pk}/", "ticket")):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()
        no_horizontal_scroll(page)
        page.screenshot(path=f"/tmp/ui-portal-{shot}-390.png", full_page=True)
    context.close()


@pytest.mark.django_db(transaction=True)
def test_portal_home_on_a_desktop_puts_the_report_beside_the_list(browser, live_server, portal_world):
    context, page = new_page(browser, DESKTOP)
    login(page, live_server, "mobile-mei")
    page.wait_for_selector("#report-problem[open]")  # open from the start on a wide screen
    no_horizontal_scroll(page)
    report, tickets = page.locator("#report-problem").bounding_box(), page.locator("#my-ticket-list").bounding_box()
    assert not overlaps(report, tickets) and report["x"] > tickets["x"]
    page.screenshot(path="/tmp/ui-portal-home-1366.png", full_page=True)
    page.goto(f"{live_server.url}/portal/catalog/{portal_world['laptop'].pk}/")
    page.screenshot(path="/tmp/ui-portal-order-1366.png", full_page=True)
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_request_page_fits_a_phone(browser, live_server, portal_world):
    from servicerequests.services import create_request

    request = create_request(portal_world["mei"], {"catalog_item": portal_world["laptop"], "variables": {},
                                                   "channel": "portal"})
    context, page = new_page(browser, PHONE)
    login(page, live_server, "mobile-mei")
    page.goto(f"{live_server.url}{hooks.ticket_kinds['request'].url('detail', request.pk)}")
    page.wait_for_selector("#ticket")
    no_horizontal_scroll(page)
    page.screenshot(path="/tmp/ui-portal-request-390.png", full_page=True)
    context.close()
