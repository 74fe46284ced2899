"""The problem journey: an agent accepts a trend-analysis candidate, records a workaround and marks the known
error, then sees it suggested on a new matching incident (on the form and the page); applying it leaves a work
note and the link."""

import pytest

from core.models import Comment, LinkKind
from incidents.models import Incident
from problems import candidate_services
from problems.models import Candidate, Problem
from tests.support.browser import login
from tests.support.trend_data import history

WORKAROUND = "Restart the mail relay service, then resend the queued mail"


@pytest.mark.django_db(transaction=True)
def test_candidate_to_known_error_to_applied_workaround(page, live_server):
    page.set_default_timeout(30000)
    data = history()
    candidate_services.run_analysis()
    candidate = next(c for c in Candidate.objects.all() if set(c.incident_ids) == set(data.clusters["chinese"]))

    login(page, live_server, data.agent.username)
    page.click("nav >> text=Problems")
    page.click("#problem-candidates")
    page.wait_for_selector(f"#candidate-{candidate.pk}")
    assert "邮件服务器" in page.inner_text(f"#candidate-{candidate.pk}")
    page.click(f"[data-testid=accept-{candidate.pk}]")
    page.wait_for_selector("#linked-incidents")
    problem = Problem.objects.get()
    assert problem.number in page.inner_text("h1")
    assert len(page.query_selector_all("#linked-incidents li")) == len(data.clusters["chinese"])

    page.click("#analysis summary")
    page.fill("#id_root_cause", "The relay's TLS certificate expired")
    page.fill("#id_workaround", WORKAROUND)
    page.check("#id_known_error")
    page.click("#save-analysis")
    page.wait_for_selector("#known-error-badge")
    assert WORKAROUND in page.inner_text("#workaround")

    page.goto(f"{live_server.url}/incidents/new/")
    page.fill("#id_title", "邮件服务器无法连接，今天又出现")
    page.wait_for_selector(f"#known-error-suggestions [data-problem='{problem.pk}']")
    page.click("button[type=submit]:has-text('Create incident')")
    page.wait_for_selector("#known-errors")
    incident = Incident.objects.order_by("-id").first()
    suggestion = page.locator(f"#known-errors [data-problem='{problem.pk}']")
    assert WORKAROUND in suggestion.inner_text()
    page.screenshot(path="/tmp/ui-known-error-panel.png", full_page=True)
    suggestion.locator("button:has-text('Apply workaround')").click()
    page.wait_for_selector("#linked-problems")
    assert problem.number in page.inner_text("#linked-problems")
    note = Comment.objects.get(ticket=incident, is_internal=True)
    assert WORKAROUND in note.body
    assert incident.links_out.filter(target=problem, kind=LinkKind.CAUSED_BY).exists()
    assert WORKAROUND in page.inner_text(".timeline")
