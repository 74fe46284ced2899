"""The improvement dashboard and the quarter budgets page: counts by stage, source and service, outcomes, budget
used, the inline charts' points, bounded queries; budgets created and edited by managers, read by agents."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from improvement import dashboard, queries, services
from improvement.models import Improvement, QuarterBudget
from tests.support import factories
from tests.support.improvement_factories import improvement
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = factories.manager()
    client.force_login(user)
    return user


@pytest.fixture
def measured(monkeypatch):
    values = []
    monkeypatch.setattr("improvement.metrics.measure", lambda spec, first, last: values.pop(0) if values else None)
    return values


def page(client, name="improvement:dashboard", status=200):
    response = client.get(reverse(name))
    assert response.status_code == status
    return response.content.decode()


def cell_numbers(html, element_id):
    row = html.split(f'id="{element_id}"')[1].split("</tr>")[0]
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)]


def test_records_by_stage_source_and_service(client, manager):
    mail, erp = factories.ServiceFactory(name="Mail"), factories.ServiceFactory(name="ERP")
    improvement(manager, stage="vision", service=mail, source="audit")
    improvement(manager, stage="plan", service=mail, source="audit")
    improvement(manager, stage="plan", service=erp, source="survey")
    improvement(manager, stage="closed", service=erp, source="survey")
    html = page(client)
    assert cell_numbers(html, "stage-vision") == [1] and cell_numbers(html, "stage-plan") == [2]
    assert cell_numbers(html, "stage-closed") == [1] and cell_numbers(html, "stage-action") == [0]
    assert cell_numbers(html, "source-audit") == [2, 2] and cell_numbers(html, "source-survey") == [1, 2]
    assert cell_numbers(html, f"service-{mail.pk}") == [2, 2] and cell_numbers(html, f"service-{erp.pk}") == [1, 2]
    assert f'?open=all&amp;service={mail.pk}' in html and "?stage=plan" in html


def test_outcomes_against_target(client, manager, measured):
    measured.extend([80.0, 96.0, 80.0, 90.0, 80.0, 70.0])  # baseline then result, per record (target 95)
    for _ in range(3):
        improvement(manager, stage="result")
    withdrawn = improvement(manager, stage="action")
    services.transition_improvement(withdrawn, manager, "closed", {"withdrawn_reason": "Dropped"})
    html = page(client)
    assert cell_numbers(html, "outcome-achieved")[0] == 1
    assert cell_numbers(html, "outcome-partly_achieved")[0] == 1
    assert cell_numbers(html, "outcome-not_achieved")[0] == 1
    assert "3 measured records" in html
    figures = dashboard.outcomes()
    assert figures["total"] == 3 and [r["pct"] for r in figures["rows"]] == [33, 33, 33]


def test_budget_used_per_quarter(client, manager):
    services.save_budget(manager, {"quarter": "2027Q1", "budget": Decimal("20000"), "capacity_days": Decimal("20")})
    improvement(manager, stage="action")  # committed: 12000, 15 days in 2027Q1 (the factory's plan)
    planned = improvement(manager, stage="plan")
    services.update_improvement(planned, manager, {"quarter": "2027Q1", "estimated_cost": "9000",
                                                   "effort_days": "4"})
    row = page(client).split('id="quarter-2027Q1"')[1].split("</tr>")[0]
    assert "20,000" in row and "12,000" in row and "(60%)" in row and "9,000" in row
    assert "15" in row and "(75%)" in row and "Over if the plans go ahead" in row  # 12000 + 9000 > 20000
    assert "Over budget" not in row
    lines = dashboard.budget_lines(queries.committed_by_quarter(["2027Q1"]))
    assert (lines[0]["cost_pct"], lines[0]["days_pct"], lines[0]["over"], lines[0]["tight_cost"]) == (60, 75, False,
                                                                                                     True)


def test_each_measured_record_has_a_chart_from_baseline_to_now(client, manager, measured):
    measured.extend([80.0, 85.0, 88.0, 93.0])  # baseline, result on entering "did we get there", two re-measures
    record = improvement(manager, stage="result")
    services.measure_now(record, manager)
    services.measure_now(Improvement.objects.get(pk=record.pk), manager)
    unmeasured = improvement(manager, stage="vision")
    html = page(client)
    chart = html.split(f'id="chart-{record.number}"')[1].split("</figure>")[0]
    values = [float(v) for v in re.findall(r'data-value="([\d.]+)"', chart)]
    assert values == [80.0, 85.0, 88.0, 93.0]
    assert chart.count('class="chart-baseline"') == 1 and chart.count('class="chart-result') == 3
    assert 'class="chart-target"' in chart and "<polyline" in chart
    assert "80.0% → <strong>95.0%</strong> → 93.0%" in chart
    assert f'id="chart-{unmeasured.number}"' not in html
    # geometry: the target (95) is the highest value, the baseline (80) the lowest
    target_y = float(re.search(r'class="chart-target"', chart) and re.search(r'y1="([\d.]+)"', chart)[1])
    assert target_y == dashboard.CHART_PAD
    data = dashboard.charts([Improvement.objects.get(pk=record.pk)])[0]
    assert [p["y"] for p in data["points"]][0] == dashboard.CHART_H - dashboard.CHART_PAD
    assert [p["kind"] for p in data["points"]] == ["baseline", "result", "result", "result"]


def test_a_long_series_is_thinned_keeping_the_first_and_latest(manager):
    record = improvement(manager, stage="vision")
    rows = [("baseline", 50.0, None, None, None)] + [("result", float(i), None, None, None) for i in range(100)]
    data = dashboard.chart(record, rows)
    results = [p["value"] for p in data["points"] if p["kind"] == "result"]
    assert len(results) == dashboard.CHART_POINTS and results[0] == 0.0 and results[-1] == 99.0


def test_dashboard_queries_are_bounded_and_constant(client, manager, measured):
    services.save_budget(manager, {"quarter": "2027Q1", "budget": Decimal("1000"), "capacity_days": Decimal("5")})

    def grow(upto):
        while Improvement.objects.count() < upto:
            index = Improvement.objects.count()
            measured.extend([80.0 + index, 90.0])
            improvement(manager, stage=("vision", "result", "action", "momentum")[index % 4])

    def fetch():
        assert client.get(reverse("improvement:dashboard")).status_code == 200

    counts = []
    for size in (4, 12):
        grow(size)
        fetch()
        counts.append(count_queries(fetch))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 14, counts


def test_empty_dashboard_says_so(client, manager):
    html = page(client)
    assert "No result has been measured yet." in html and 'id="no-charts"' in html
    assert "No quarter has a budget or planned work yet." in html


# --- the budgets page ---------------------------------------------------------------------------

def test_managers_create_and_edit_budgets(client, manager):
    html = page(client, "improvement:budgets")
    assert 'id="budget-form"' in html
    response = client.post(reverse("improvement:budgets"), {"quarter": "2027-q1", "budget": "15000",
                                                           "capacity_days": "40", "notes": "Approved by the board"})
    assert response.status_code == 302
    budget = QuarterBudget.objects.get()
    assert (budget.quarter, budget.budget, budget.capacity_days) == ("2027Q1", Decimal("15000"), Decimal("40"))
    html = page(client, "improvement:budgets")
    assert 'id="quarter-2027Q1"' in html and "15,000" in html and "?edit=2027Q1" in html
    edit = client.get(reverse("improvement:budgets") + "?edit=2027Q1").content.decode()
    assert f'name="budget_id" value="{budget.pk}"' in edit and 'value="15000.00"' in edit
    missing = client.post(reverse("improvement:budgets"), {"budget_id": budget.pk, "quarter": "2027Q1",
                                                          "capacity_days": "30"})
    assert missing.status_code == 400 and "This field is required" in missing.content.decode()
    assert 'name="budget_id"' in missing.content.decode()  # still editing the same budget
    saved = client.post(reverse("improvement:budgets"), {"budget_id": budget.pk, "quarter": "2027Q1",
                                                        "budget": "18000", "capacity_days": "30"})
    assert saved.status_code == 302
    budget.refresh_from_db()
    assert (budget.budget, budget.capacity_days, QuarterBudget.objects.count()) == (Decimal("18000"), Decimal("30"), 1)


def test_budget_form_errors_keep_the_input(client, manager):
    bad = client.post(reverse("improvement:budgets"), {"quarter": "next year", "budget": "-5", "capacity_days": "3"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Enter a quarter as 2026Q3." in html and 'value="next year"' in html
    assert "greater than or equal to 0" in html
    services.save_budget(manager, {"quarter": "2027Q2", "budget": 1, "capacity_days": 1})
    duplicate = client.post(reverse("improvement:budgets"), {"quarter": "2027Q2", "budget": "5", "capacity_days": "3"})
    assert duplicate.status_code == 400 and "already exists" in duplicate.content.decode()
    assert QuarterBudget.objects.count() == 1


def test_agents_read_budgets_only(client):
    agent = factories.agent()
    client.force_login(agent)
    services.save_budget(factories.manager(), {"quarter": "2027Q1", "budget": 500, "capacity_days": 2})
    html = page(client, "improvement:budgets")
    assert 'id="quarter-2027Q1"' in html and 'id="budget-form"' not in html and "?edit=" not in html
    response = client.post(reverse("improvement:budgets"), {"quarter": "2027Q3", "budget": "5", "capacity_days": "3"})
    assert response.status_code == 403 and QuarterBudget.objects.count() == 1


def test_pages_link_to_each_other(client, manager):
    for name in ("improvement:list", "improvement:dashboard", "improvement:budgets"):
        html = page(client, name)
        for target in ("improvement:list", "improvement:dashboard", "improvement:budgets"):
            assert f'href="{reverse(target)}"' in html, (name, target)
        assert 'href="/improvements/proposals/"' in html or "proposals" in html
