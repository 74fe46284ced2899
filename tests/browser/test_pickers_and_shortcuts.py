"""Pickers, following selects, the "?" shortcut help and a queue that fits a 1366-pixel screen."""

import pytest

from incidents.models import Category, Incident
from tests.support import factories
from tests.support.browser import login


@pytest.mark.django_db(transaction=True)
def test_the_organization_follows_the_picked_requester(page, live_server):
    page.set_default_timeout(30000)
    factories.agent(username="deskagent")
    acme = factories.OrganizationFactory(name="Acme Corp")
    factories.OrganizationFactory(name="Globex")
    ann = factories.requester(username="alee", first_name="Ann", last_name="Lee", email="ann@acme.test",
                              organization=acme)
    factories.requester(username="bking", first_name="Bob", last_name="King", email="bob@globex.test")
    hardware, software = Category.objects.create(name="Hardware"), Category.objects.create(name="Software")
    printer = Category.objects.create(name="Printer", parent=hardware)
    Category.objects.create(name="Mail", parent=software)

    login(page, live_server, "deskagent")
    page.goto(f"{live_server.url}/incidents/new/")
    page.fill("#id_title", "Printer jams on every job")
    page.click("label[for=id_requester_search]")
    page.keyboard.type("acme")
    option = page.locator("#id_requester_results li", has_text="Ann Lee")
    option.wait_for()
    assert "ann@acme.test" in option.inner_text() and "Acme Corp" in option.inner_text()
    assert page.locator("#id_requester_results li", has_text="Bob King").count() == 0
    assert page.get_attribute("#id_requester_search", "aria-expanded") == "true"
    page.screenshot(path="/tmp/ui-requester-results.png")
    page.keyboard.press("Enter")  # the first result is highlighted
    assert page.input_value("#id_requester") == str(ann.pk)
    assert page.input_value("#id_requester_search") == "Ann Lee"
    assert page.input_value("#id_organization") == str(acme.pk)
    assert page.locator("#id_requester_results").is_hidden()

    page.select_option("#id_category", str(hardware.pk))
    offered = page.eval_on_selector_all("#id_subcategory option:not([hidden])", "os => os.map(o => o.text)")
    assert offered[1:] == ["Hardware / Printer"]
    page.select_option("#id_subcategory", str(printer.pk))
    page.select_option("#id_category", str(software.pk))
    assert page.input_value("#id_subcategory") == ""
    page.select_option("#id_category", str(hardware.pk))
    page.select_option("#id_subcategory", str(printer.pk))
    page.screenshot(path="/tmp/ui-requester-picker.png", full_page=True)
    page.click("button:has-text('Create incident')")
    page.wait_for_selector("#ticket")
    incident = Incident.objects.get(title="Printer jams on every job")
    assert incident.requester_id == ann.pk and incident.organization_id == acme.pk
    assert incident.subcategory_id == printer.pk


@pytest.mark.django_db(transaction=True)
def test_picker_keyboard_arrows_and_escape(page, live_server):
    page.set_default_timeout(30000)
    factories.agent(username="keys")
    for name in ("Ann", "Anna", "Annie"):
        factories.requester(username=name.lower(), first_name=name, last_name="Smith")
    login(page, live_server, "keys")
    page.goto(f"{live_server.url}/incidents/")
    page.click("summary:has-text('More filters')")
    page.click("#id_requester_search")
    page.keyboard.type("smith")
    page.locator("#id_requester_results li").nth(2).wait_for()
    page.keyboard.press("ArrowDown")
    active = page.get_attribute("#id_requester_search", "aria-activedescendant")
    assert active == "id_requester_results_1"
    page.keyboard.press("Escape")
    assert page.locator("#id_requester_results").is_hidden()
    assert page.input_value("#id_requester") == ""


@pytest.mark.django_db(transaction=True)
def test_question_mark_opens_the_shortcut_help(page, live_server):
    page.set_default_timeout(30000)
    agent = factories.agent(username="helpme")
    factories.incident(title="Something to list", actor=agent)
    login(page, live_server, "helpme")
    page.goto(f"{live_server.url}/incidents/")
    page.wait_for_load_state("load")
    page.locator("h1").click()
    page.keyboard.press("?")
    dialog = page.locator("#shortcut-help")
    dialog.wait_for(state="visible")
    text = dialog.inner_text()
    for expected in ("Keyboard shortcuts", "Show this help", "Focus the search box", "New incident",
                     "Select the next row", "Open the selected row"):
        assert expected in text, expected
    assert page.evaluate("document.activeElement.matches('#shortcut-help [data-close-dialog]')")
    page.screenshot(path="/tmp/ui-shortcut-help.png")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.click("#id_q")
    page.keyboard.type("?")  # typing in a field never opens it
    assert page.input_value("#id_q") == "?" and dialog.is_hidden()


@pytest.mark.django_db(transaction=True)
def test_queue_fits_a_1366_pixel_screen(page, live_server):
    page.set_default_timeout(30000)
    page.set_viewport_size({"width": 1366, "height": 768})
    agent = factories.agent(username="wide", first_name="Maximilian-Alexander", last_name="Featherstonehaugh")
    team = factories.TeamFactory(name="Enterprise Application Support and Integration Services", members=[agent])
    service = factories.ServiceFactory(name="Customer Relationship Management Platform (EMEA production)")
    for n in range(30):
        factories.incident(actor=agent, team=team, assignee=agent, service=service,
                           title=f"Incident {n}: the nightly export of the customer relationship management "
                                 f"platform to the data warehouse fails with a timeout after the schema change")
    login(page, live_server, "wide")
    page.goto(f"{live_server.url}/incidents/")
    page.wait_for_selector("#queue tbody tr[data-href]")
    assert page.locator("#queue tbody tr[data-href]").count() == 30
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    title = page.locator("#queue td.title span").first
    assert "data warehouse" in title.get_attribute("title")
    page.screenshot(path="/tmp/ui-queue-1366.png")
    page.click("summary:has-text('More filters')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path="/tmp/ui-queue-1366-filters.png", full_page=True)
