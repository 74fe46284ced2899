"""Change enablement in Chromium: a normal change on a core switch gets a high risk from the CMDB impact, waits
for the CAB, is approved at the CAB meeting, and shows its conflict with another change on the same switch in the
change calendar; a standard change is raised from its template in one step."""

from datetime import timedelta

import pytest
from django.utils import timezone

from changes.models import Change
from tests.support import change_factories, factories
from tests.support.browser import login


def session(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30000)
    login(page, live_server, username)
    return context, page


@pytest.fixture
def switch_world(db):
    switch, services = change_factories.core_switch(services=6, critical=1, name="core-sw-01")
    chair = factories.manager(username="chair", first_name="Cara", last_name="Chair")
    member = factories.manager(username="member", first_name="Max", last_name="Member")
    cab = change_factories.board(name="Change Advisory Board", members=[chair, member], chair=chair,
                                 rule="n_of_m", required=2)
    nora = factories.agent(username="nora", first_name="Nora", last_name="Patel")
    network = factories.TeamFactory(name="Network", members=[nora], manager=chair)
    change_factories.change_model(name="Normal change", steps=[
        {"authority": "board", "board": cab, "min_risk": 3, "max_risk": 3, "rule": "n_of_m", "required": 2,
         "name": "Change Advisory Board"},
        {"authority": "team_manager", "min_risk": 1, "max_risk": 2, "name": "Team manager"}])
    return {"switch": switch, "cab": cab, "chair": chair, "member": member, "nora": nora, "network": network}


def local_input(instant):
    return timezone.localtime(instant).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db(transaction=True)
def test_a_high_risk_switch_change_waits_for_the_cab_and_shows_its_conflict(browser, live_server, switch_world):
    start = (timezone.now() + timedelta(days=3)).replace(hour=22, minute=0, second=0, microsecond=0)
    context, page = session(browser, live_server, "nora")
    page.goto(f"{live_server.url}/changes/new/")
    page.fill("input[name=title]", "Replace the core switch")
    page.select_option("select[name=team]", label="Network")
    page.fill("input[name=configuration_items]", "core-sw-01")
    page.fill("input[name=planned_start]", local_input(start))
    page.fill("input[name=planned_end]", local_input(start + timedelta(hours=4)))
    page.fill("textarea[name=implementation_plan]", "Swap the chassis, move the cables, restore the config.")
    page.fill("textarea[name=backout_plan]", "Put the old chassis back.")
    page.click("form button[type=submit]:has-text('Create')")
    page.wait_for_selector("#ticket")
    change = Change.objects.get(title="Replace the core switch")
    assert change.risk_level == 3
    risk = page.inner_text("#risk-panel")
    assert "High" in risk and "CMDB" in risk and "6 services" in risk.replace("\n", " ")
    page.click("summary.transition-authorize")
    page.click("button[name=submit-authorize]")
    page.wait_for_selector("#state:has-text('Awaiting authorisation')")
    assert "Change Advisory Board" in page.inner_text("#authorisation-panel")
    page.screenshot(path="/tmp/ui-change-waiting-cab.png", full_page=True)
    context.close()

    # The chair plans the CAB meeting, builds its agenda and records the board's approval.
    context, page = session(browser, live_server, "chair")
    page.goto(f"{live_server.url}/changes/cab/")
    page.select_option("select[name=board]", label="Change Advisory Board")
    page.fill("input[name=starts_at]", local_input(timezone.now() + timedelta(hours=2)))
    page.click("button:has-text('Plan meeting')")
    page.wait_for_selector("#agenda-title")
    page.click("button:has-text('Build agenda')")
    page.wait_for_selector(f"tr:has-text('{change.number}')")
    row = page.locator(f"tr:has-text('{change.number}')")
    row.locator("select[name$=decision]").select_option("approved")
    row.locator("textarea[name$=notes]").fill("Approved: back-out plan is sound.")
    row.locator("button:has-text('Record decision')").click()
    page.wait_for_selector(f"tr:has-text('{change.number}') strong:has-text('Approved')")
    change.refresh_from_db()
    assert change.state == "scheduled" and change.authorised_at is not None
    page.screenshot(path="/tmp/ui-change-cab.png", full_page=True)

    # Another change on the same switch overlaps the window: the calendar marks both.
    other = change_factories.change(actor=switch_world["nora"], title="Re-cable the uplinks",
                                    configuration_items=[switch_world["switch"]], planned_start=start + timedelta(hours=1),
                                    planned_end=start + timedelta(hours=2))
    page.goto(f"{live_server.url}/changes/schedule/?view=week&date={timezone.localdate(start).isoformat()}")
    entry = page.locator(f"a:has(strong:text-is('{change.number}'))").first
    assert entry.is_visible() and entry.locator(".conflict-mark").count() == 1
    assert other.number in entry.get_attribute("title")
    assert page.locator(f"a:has(strong:text-is('{other.number}')) .conflict-mark").count() >= 1
    page.screenshot(path="/tmp/ui-change-calendar.png", full_page=True)
    page.goto(f"{live_server.url}/changes/{change.pk}/")
    assert other.number in page.inner_text("#conflicts-panel")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_standard_change_is_raised_from_its_template_in_one_step(browser, live_server, db):
    agent = factories.agent(username="alex", first_name="Alex", last_name="Chen")
    printer = factories.ServiceFactory(name="Printing")
    template = change_factories.template(name="Restart the print spooler", service=printer)
    context, page = session(browser, live_server, "alex")
    page.goto(f"{live_server.url}/changes/templates/")
    page.click("a:has-text('Restart the print spooler')")
    page.click("button:has-text('Raise')")
    page.wait_for_selector("#ticket")
    change = Change.objects.get(template=template)
    assert change.change_type == "standard" and change.state == "scheduled" and change.created_by == agent
    assert not change.approval_stages.exists()
    assert "Scheduled" in page.inner_text("#state") and change.number in page.inner_text("#ticket")
    page.screenshot(path="/tmp/ui-standard-change.png", full_page=True)
    context.close()
