"""Continual improvement in Chromium, on a controlled clock: repeated breaches of a service's resolution target
propose an improvement; a manager accepts the proposal, sets a target for the service's resolution compliance and
sees the baseline captured from February's tickets; once more tickets are resolved in time in March, "did we get
there" is measured and shown as achieved."""

import datetime as dt

import pytest

from improvement import feeds
from improvement.models import Improvement, Proposal
from incidents import services as incident_services
from incidents import workflow as incident_workflow
from slm import reports
from tests.slm.clock import Clock
from tests.support import factories
from tests.support.browser import login
from tests.support.slm_factories import TargetFactory, around_the_clock

UTC = dt.timezone.utc


def fix(clock, agent, service, day, hours):
    """An incident on the service raised at 08:00 of `day` and resolved `hours` later."""
    clock.now = dt.datetime.combine(day, dt.time(8), UTC)
    incident = factories.incident(agent, service=service, title="Payslip run fails")
    clock.advance(hours=hours)
    incident_services.transition_incident(incident, agent, incident_workflow.RESOLVED, {
        "resolution_code": "solved_permanently", "resolution_notes": "Re-ran the batch"})


@pytest.mark.django_db(transaction=True)
def test_a_manager_turns_repeated_breaches_into_an_improvement_and_sees_whether_it_worked(
        browser, live_server, monkeypatch, settings):
    settings.TIME_ZONE = "UTC"
    clock = Clock(monkeypatch, dt.datetime(2026, 2, 2, 8, tzinfo=UTC))
    TargetFactory(calendar=around_the_clock(), target_seconds=4 * 3600, name="Resolve within 4 h")
    agent = factories.agent(username="desk-agent")
    factories.manager(username="cir-manager", first_name="Morgan", last_name="Lee")
    payroll = factories.ServiceFactory(name="Payroll")
    # February: eight payroll incidents, six of them resolved late (6 h against 4 h): 25 % compliance.
    for index in range(8):
        fix(clock, agent, payroll, dt.date(2026, 2, 2 + 3 * index), 2 if index in (0, 4) else 6)
    clock.now = dt.datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert feeds.run_feeds()["breach_trend"] == 1
    proposal = Proposal.objects.get(service=payroll)

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30000)
    login(page, live_server, "cir-manager")
    page.goto(f"{live_server.url}/improvements/proposals/")
    card = page.locator(f"#proposal-{proposal.pk}")
    assert "Payroll" in card.inner_text() and "Payslip run fails" in card.inner_text()
    card.locator(f"[data-testid=accept-{proposal.pk}]").click()
    page.wait_for_selector("#stage-form-vision")
    improvement = Improvement.objects.get()
    assert page.url.endswith(f"/improvements/{improvement.pk}/")

    # Step 1: the vision, and the metric: the service's resolution compliance.
    form = page.locator("#stage-form-vision")
    form.locator("[name=step-vision-vision]").fill("Payroll incidents are fixed within four hours.")
    form.locator("[name=step-vision-objective]").fill("Everyone is paid on time.")
    form.locator("[name=step-vision-metric_name]").select_option("sla_compliance")
    form.locator("[name=step-vision-metric_timer]").select_option("resolution")
    form.locator("[name=step-vision-metric_service]").select_option(label="Payroll")
    form.locator("[name=step-vision-baseline_days]").fill("30")
    form.locator("#advance-vision").click()
    page.wait_for_selector("#stage-form-baseline")
    improvement.refresh_from_db()
    february = reports.compliance(reports.parse_period(start="2026-01-31", end="2026-03-01"), "service",
                                  service=payroll.pk, timer_metric="resolution")["total"]["compliance"]
    assert improvement.baseline_value == february == 25.0
    assert (improvement.baseline_start, improvement.baseline_end) == (dt.date(2026, 1, 31), dt.date(2026, 3, 1))
    text = page.inner_text("#ticket")
    assert "25.0%" in text and "2026-01-31" in text and "2026-03-01" in text

    # Steps 2-4: where we are, the target (90 % resolution compliance), the plan.
    page.locator("#stage-form-baseline [name=step-baseline-assessment_notes]").fill("Six of eight fixes were late.")
    page.click("#advance-baseline")
    page.wait_for_selector("#stage-form-target")
    page.fill("#stage-form-target [name=step-target-target_value]", "90")
    page.fill("#stage-form-target [name=step-target-target_date]", "2026-06-30")
    page.click("#advance-target")
    page.wait_for_selector("#stage-form-plan")
    plan = page.locator("#stage-form-plan")
    plan.locator("[name=step-plan-plan]").fill("A runbook for the payslip batch and an on-call payroll expert.")
    plan.locator("[name=step-plan-business_case]").fill("Late salaries cost goodwill and overtime.")
    plan.locator("[name=step-plan-estimated_cost]").fill("2000")
    plan.locator("[name=step-plan-annual_benefit]").fill("8000")
    plan.locator("[name=step-plan-effort_days]").fill("4")
    plan.locator("[name=step-plan-quarter]").fill("2026Q1")
    plan.locator("#advance-plan").click()
    page.wait_for_selector("#stage-form-action")
    improvement.refresh_from_db()
    assert improvement.state == "action" and improvement.action_started_on == dt.date(2026, 3, 2)

    # March: the runbook works; four payroll incidents, all resolved within two hours.
    for day in (3, 5, 9, 12):
        fix(clock, agent, payroll, dt.date(2026, 3, day), 2)
    clock.now = dt.datetime(2026, 3, 16, 9, tzinfo=UTC)
    login(page, live_server, "cir-manager")  # two weeks on, the session has expired
    page.goto(f"{live_server.url}/improvements/{improvement.pk}/")
    page.locator("#stage-form-action [name=step-action-action_notes]").fill("Runbook published; expert on call.")
    page.click("#advance-action")
    page.wait_for_selector("#stage-form-result")
    improvement.refresh_from_db()
    assert improvement.result_value == 100.0 and improvement.outcome == "achieved"
    assert (improvement.result_start, improvement.result_end) == (dt.date(2026, 3, 2), dt.date(2026, 3, 15))
    result = page.inner_text("#ticket")
    assert "100.0%" in result and "Achieved" in result
    context.close()
