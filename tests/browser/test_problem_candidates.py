"""An agent reviews the problem candidates, accepts one and lands on the new problem."""

import pytest

from problems import candidate_services
from problems.models import Candidate, Problem
from tests.support.browser import login
from tests.support.trend_data import history


@pytest.mark.django_db(transaction=True)
def test_agent_accepts_a_candidate_and_lands_on_the_problem(page, live_server):
    page.set_default_timeout(30000)
    data = history()
    candidate_services.run_analysis()
    candidate = next(c for c in Candidate.objects.all() if set(c.incident_ids) == set(data.clusters["chinese"]))

    login(page, live_server, data.agent.username)
    page.click("nav >> text=Problem candidates")
    page.wait_for_selector(f"#candidate-{candidate.pk}")
    assert "邮件服务器" in page.inner_text(f"#candidate-{candidate.pk}")
    page.screenshot(path="/tmp/ui-problem-candidates.png", full_page=True)
    page.click(f"[data-testid=accept-{candidate.pk}]")
    page.wait_for_load_state()
    problem = Problem.objects.get()
    # The problem page comes with the lead's problems.urls; until then only the redirect target is checked.
    assert f"/{problem.pk}/" in page.url
    assert Candidate.objects.get(pk=candidate.pk).status == "accepted"
