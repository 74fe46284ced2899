"""Browser journey: an agent opens a CI's impact graph and sees the CIs that depend on it."""

import pytest

from tests.support import factories
from tests.support.browser import login
from tests.support.cmdb_factories import CIFactory, RelationshipFactory, chain


@pytest.mark.django_db(transaction=True)
def test_agent_opens_impact_graph(page, live_server, tmp_path):
    factories.agent(username="graph-agent")
    shop = factories.ServiceFactory(name="Web shop")
    web, app, db, san = chain("shop-web", "shop-app", "shop-db", "san-01")
    web.service = shop
    web.save()
    report = CIFactory(name="report-job")
    RelationshipFactory(source=report, target=db, kind="runs_on")

    login(page, live_server, "graph-agent")
    page.goto(f"{live_server.url}/cmdb/cis/{san.pk}/")
    graph = page.locator("svg.ci-graph")
    graph.wait_for()
    for ci in (db, app, web, report):
        assert graph.locator(f'a[data-ci-id="{ci.pk}"]').count() == 1
    assert page.locator("#impacted-services").inner_text().count("Web shop") == 1
    assert "san-01 → shop-db → shop-app → shop-web" in page.locator("#impact-list").inner_text()
    page.screenshot(path=str(tmp_path / "ci-impact.png"), full_page=True)

    graph.locator(f'a[data-ci-id="{app.pk}"]').click()
    page.wait_for_url(f"**/cmdb/cis/{app.pk}/**")
    assert page.locator("h1").inner_text().startswith("shop-app")
    page.select_option("select[name=depth]", "1")
    page.select_option("select[name=direction]", "upstream")
    page.click("#impact form button[type=submit]")
    page.wait_for_url("**direction=upstream**")
    upstream = page.locator("svg.ci-graph")
    assert upstream.locator(f'a[data-ci-id="{db.pk}"]').count() == 1
    assert upstream.locator(f'a[data-ci-id="{san.pk}"]').count() == 0
