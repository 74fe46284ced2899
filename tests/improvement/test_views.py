"""The improvement pages through the test client, as agents, managers and requesters use them: the ranked register
(sorting, filtering, budgets, the manager's rank), the record page walking the seven steps (step forms, errors kept
with the input, conflicts, assessment, tasks, rank, measuring, withdrawing) and who may see any of it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, TicketLink
from improvement import services
from improvement.models import Improvement, QuarterBudget
from tests.support import factories
from tests.support.improvement_factories import CONTENT, improvement
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = factories.manager()
    client.force_login(user)
    return user


@pytest.fixture
def agent(client):
    user = factories.agent()
    client.force_login(user)
    return user


@pytest.fixture
def measured(monkeypatch):
    """Every measurement returns the next value of a list (baseline first, then results)."""
    values = []
    monkeypatch.setattr("improvement.metrics.measure", lambda spec, first, last: values.pop(0) if values else None)
    return values


def detail(client, record, status=200):
    response = client.get(reverse("improvement:detail", args=[record.pk]))
    assert response.status_code == status
    return response.content.decode()


def act(client, record, name, data):
    return client.post(reverse("improvement:action", args=[record.pk, name]), data)


def step_data(record, stage, values, advance=False):
    data = {"step": stage, f"step-{stage}-version": record.version,
            **{f"step-{stage}-{name}": value for name, value in values.items()}}
    if advance:
        data["advance"] = "1"
    return data


def register(client, query=""):
    response = client.get(reverse("improvement:list") + query)
    assert response.status_code == 200
    return response.content.decode()


def row_order(html):
    return re.findall(r'id="row-(IMP\d+)"', html)


def fresh(record):
    return Improvement.objects.get(pk=record.pk)


# --- who may see what ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["agent", "manager"])
def test_every_page_renders_for_staff(client, role):
    user = getattr(factories, role)()
    client.force_login(user)
    records = [improvement(user if role == "manager" else None, stage=stage)
               for stage in ("vision", "baseline", "target", "plan", "action", "result", "momentum", "closed")]
    html = register(client, "?open=all")
    assert all(r.number in html for r in records)
    for record in records:
        page = detail(client, record)
        assert 'class="stepper"' in page and record.title in page
    for name in ("improvement:dashboard", "improvement:budgets", "improvement:create"):
        assert client.get(reverse(name)).status_code == 200


def test_requesters_and_strangers_see_nothing(client):
    record = improvement(stage="action")
    requester = factories.requester(organization=factories.OrganizationFactory())
    client.force_login(requester)
    listing = client.get(reverse("improvement:list"), follow=True)
    assert listing.status_code == 200 and record.number not in listing.content.decode()
    assert record.title not in listing.content.decode()
    assert client.get(reverse("improvement:list")).status_code == 302  # to their home page, as every queue
    assert client.get(reverse("improvement:detail", args=[record.pk])).status_code == 404
    for name in ("improvement:dashboard", "improvement:budgets"):
        response = client.get(reverse(name))
        assert response.status_code == 403 and record.number not in response.content.decode()
    for action in ("stage", "assessment", "add-task", "set-rank", "measure"):
        assert act(client, record, action, {}).status_code in (403, 404)
    assert client.post(reverse("improvement:budgets"), {"quarter": "2027Q1", "budget": "1",
                                                       "capacity_days": "1"}).status_code == 403
    assert not QuarterBudget.objects.exists()
    client.logout()
    for url in (reverse("improvement:list"), reverse("improvement:dashboard"),
                reverse("improvement:detail", args=[record.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


# --- the register -----------------------------------------------------------------------------

def test_register_ranks_by_score_shows_the_columns_and_the_formula(client, manager):
    low = improvement(manager, stage="vision", title="Low value", benefit=1, urgency_rating=1, alignment=1)
    high = improvement(manager, stage="plan", title="High value", benefit=5, cost=1, effort=1)
    closed = improvement(manager, stage="closed", title="Done already")
    html = register(client)
    assert row_order(html) == [high.number, low.number]
    assert closed.number not in html
    assert "(benefit + urgency + alignment) / (cost + effort + risk) × 10" in html
    row = html.split(f'id="row-{high.number}"')[1].split("</tr>")[0]
    assert str(high.score) in row and "4 · Plan" in row and "Staff idea" in row
    assert "12,000" in detail(client, improvement(manager, stage="action"))  # the plan's cost, grouped
    assert high.services.get().name in row and manager.get_full_name() in row
    assert "SLA compliance" in row and "95.0%" in row  # baseline → target → latest
    assert (timezone.localdate() + datetime.timedelta(days=90)).isoformat() in row
    assert re.search(r'<td class="rank"><strong>1</strong>', row)


def test_register_sorts_by_every_sortable_column(client, manager):
    a = improvement(manager, stage="target", title="Bravo", benefit=5)  # score 13.33
    b = improvement(manager, stage="vision", title="alpha", cost=5)  # score 7.5
    c = improvement(manager, stage="plan", title="Charlie")  # score 10
    assert row_order(register(client, "?ordering=rank")) == [a.number, c.number, b.number]
    assert row_order(register(client, "?ordering=-score")) == [a.number, c.number, b.number]
    assert row_order(register(client, "?ordering=score")) == [b.number, c.number, a.number]
    assert row_order(register(client, "?ordering=stage")) == [b.number, a.number, c.number]
    assert row_order(register(client, "?ordering=-stage")) == [c.number, a.number, b.number]
    assert row_order(register(client, "?ordering=title")) == [b.number, a.number, c.number]
    assert row_order(register(client, "?ordering=-title")) == [c.number, a.number, b.number]
    by_date = row_order(register(client, "?ordering=target_date"))
    assert by_date[-1] == b.number  # no target date: last
    html = register(client, "?ordering=score")
    assert 'aria-sort="ascending"><a href="?ordering=-score"' in html
    assert row_order(register(client, "?ordering=nonsense")) == [a.number, c.number, b.number]


def test_register_filters(client, manager):
    mail = factories.ServiceFactory(name="Mail")
    other = factories.agent()
    planned = improvement(manager, stage="plan", title="Planned one", service=mail, source="audit", quarter="2027Q1")
    vision = improvement(other, stage="vision", title="Vision one", owner=other)
    closed = improvement(manager, stage="closed", title="Closed one")
    withdrawn = improvement(manager, stage="vision", title="Withdrawn one")
    services.transition_improvement(withdrawn, manager, "closed", {"withdrawn_reason": "Not needed"})
    cases = {
        "?stage=plan": [planned], "?stage=vision&stage=plan": [vision, planned], "?source=audit": [planned],
        f"?service={mail.pk}": [planned], "?owner=me": [planned], f"?owner={other.pk}": [vision],
        "?quarter=2027q1": [planned], "?quarter=nonsense": [], "?metric=sla_compliance": [planned],
        "?metric=csat": [], "?q=Vision": [vision], "?open=false": [closed, withdrawn],
        "?stage=closed": [closed, withdrawn], "?open=all&outcome=achieved": [],
    }
    for query, expected in cases.items():
        assert sorted(row_order(register(client, query))) == sorted(r.number for r in expected), query
    html = register(client, "?open=false")
    assert "Withdrawn" in html and 'id="closed-link"' in html
    assert client.get(reverse("improvement:list") + "?service=99999999999999999999999").status_code == 200


def test_register_shows_a_managers_rank_with_its_reason(client, manager):
    first = improvement(manager, stage="plan", title="Best score", benefit=5)
    second = improvement(manager, stage="vision", title="Pushed up")
    services.set_rank(second, manager, 1, "The audit is due next month")
    html = register(client)
    assert row_order(html) == [second.number, first.number]
    row = html.split(f'id="row-{second.number}"')[1].split("</tr>")[0]
    assert "rank-override" in row and "Ranked by hand: The audit is due next month" in row


def test_register_shows_quarter_budgets_and_over_commitment(client, manager):
    quarter = services.current_quarter()
    services.save_budget(manager, {"quarter": quarter, "budget": Decimal("10000"), "capacity_days": Decimal("10")})
    record = improvement(manager, stage="action")
    services.update_improvement(record, manager, {"quarter": quarter})  # 12000 and 15 days committed
    html = register(client)
    table = html.split('id="quarters"')[1].split("</table>")[0]
    row = table.split(f'id="quarter-{quarter}"')[1].split("</tr>")[0]
    assert "10,000" in row and "12,000" in row and "(120%)" in row and "15" in row and "(150%)" in row
    assert "Over budget" in row and "Over capacity" in row and 'class="over' in table


def test_register_query_count_is_bounded_and_constant(client, manager):
    quarter = services.current_quarter()
    services.save_budget(manager, {"quarter": quarter, "budget": Decimal("10000"), "capacity_days": Decimal("10")})

    def grow(upto):
        while Improvement.objects.count() < upto:
            index = Improvement.objects.count()
            record = improvement(manager, stage=("vision", "plan", "action")[index % 3], title=f"Record {index}")
            record = services.update_improvement(record, manager, {"quarter": quarter})
            if index % 4 == 0:
                services.set_rank(record, manager, 2, "Because")

    def fetch():
        assert client.get(reverse("improvement:list")).status_code == 200

    counts = []
    for size in (3, 12):
        grow(size)
        fetch()
        counts.append(count_queries(fetch))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 14, counts


# --- the record page: steps ------------------------------------------------------------------------

def test_stepper_marks_done_current_and_todo(client, manager):
    record = improvement(manager, stage="plan")
    html = detail(client, record)
    stepper = html.split('class="stepper"')[1].split("</nav>")[0]
    assert stepper.count("step-done") == 3 and stepper.count('aria-current="step"') == 1
    assert stepper.count("step-todo") == 3
    assert re.search(r'class="step step-current" aria-current="step">\s*<a href="#step-plan"', stepper)
    for stage in ("vision", "baseline", "target"):
        assert f'id="step-{stage}"' in html
    assert "Laptops fixed the same day" in html  # the vision's content
    assert f"measured for service {record.metric_service.name}; baseline over 90 days" in html
    assert "Resolution targets missed on hardware faults" in html  # the baseline's notes
    assert 'id="stage-form-plan"' in html and 'id="advance-plan"' in html
    assert 'id="stage-form-action"' not in html  # a step not reached has no form


def test_save_a_step_then_advance_with_missing_content_names_the_fields_and_keeps_input(client, manager):
    record = improvement(manager, stage="vision")
    saved = act(client, record, "stage", step_data(record, "vision", {"vision": "Every laptop fixed in a day",
                                                                        "baseline_days": 90}))
    assert saved.status_code == 302
    record = fresh(record)
    assert record.vision == "Every laptop fixed in a day" and record.state == "vision"
    assert AuditEntry.objects.filter(ticket_id=record.pk, changes__has_key="vision").exists()
    refused = act(client, record, "stage", step_data(record, "vision", {"vision": "Every laptop fixed in a day",
                                                                          "objective": "", "metric_name": "",
                                                                          "baseline_days": 90}, advance=True))
    assert refused.status_code == 400
    html = refused.content.decode()
    needed = re.search(r"Still needed to move on: ([^<]*)", html)
    assert needed and "Objective served" in needed[1] and "Metric" in needed[1] and "Vision" not in needed[1]
    assert "Every laptop fixed in a day" in html  # the input is kept
    assert fresh(record).state == "vision"


def test_advance_through_the_steps_captures_the_baseline(client, manager, measured):
    record = improvement(manager, stage="vision")
    measured.append(82.5)
    response = act(client, record, "stage", step_data(record, "vision", {
        "vision": "Laptops fixed the same day", "objective": "Staff productivity", "metric_name": "sla_compliance",
        "metric_service": record.metric_service_id, "baseline_days": 30}, advance=True))
    assert response.status_code == 302
    record = fresh(record)
    assert record.state == "baseline" and record.baseline_value == 82.5
    html = detail(client, record)
    assert 'id="baseline-value">82.5%' in html
    report = html.split('id="baseline-report"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert report.startswith(reverse("slm:report-compliance"))
    assert f"start={record.baseline_start.isoformat()}" in report and f"end={record.baseline_end.isoformat()}" in report
    assert f"service={record.metric_service_id}" in report
    # the baseline needs an assessment before moving on: named on the form
    refused = act(client, record, "stage", step_data(record, "baseline", {"swot_strengths": ""}, advance=True))
    assert refused.status_code == 400 and "SWOT" in refused.content.decode()
    moved = act(client, record, "stage", step_data(record, "baseline", {"swot_strengths": "Skilled desk",
                                                                         "swot_threats": "Supply chain"},
                                                   advance=True))
    assert moved.status_code == 302 and fresh(record).state == "target"
    assert 'id="swot"' in detail(client, fresh(record)) and "Supply chain" in detail(client, fresh(record))


def test_a_past_step_is_edited_without_its_metric(client, manager):
    record = improvement(manager, stage="target")
    html = detail(client, record)
    vision_form = html.split('id="stage-form-vision"')[1].split("</form>")[0]
    assert "step-vision-vision" in vision_form and "metric_name" not in vision_form
    assert 'name="advance"' not in vision_form
    response = act(client, record, "stage", step_data(record, "vision", {"vision": "Sharper vision",
                                                                         "objective": "Staff productivity",
                                                                         "metric_name": "csat"}))
    assert response.status_code == 302
    record = fresh(record)
    assert record.vision == "Sharper vision" and record.metric_name == "sla_compliance" and record.state == "target"
    assert act(client, record, "stage", step_data(record, "action", {"action_notes": "Too early"})).status_code == 400


def test_a_stale_step_form_shows_the_conflict_and_keeps_the_input(client, manager):
    record = improvement(manager, stage="vision")
    stale = record.version
    services.update_improvement(record, manager, {"objective": "Changed meanwhile"})
    response = act(client, record, "stage", {"step": "vision", "step-vision-version": stale,
                                             "step-vision-vision": "My own words", "step-vision-baseline_days": 90})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else changed this improvement meanwhile" in html and "My own words" in html
    current = fresh(record).version
    assert f'name="step-vision-version" value="{current}"' in html
    assert fresh(record).vision == ""


def test_assessment_changes_the_score(client, manager):
    record = improvement(manager, stage="baseline")
    data = {"assessment-version": record.version, "assessment-benefit": 5, "assessment-urgency_rating": 5,
            "assessment-alignment": 5, "assessment-cost": 1, "assessment-effort": 1, "assessment-risk": 1}
    assert act(client, record, "assessment", data).status_code == 302
    record = fresh(record)
    assert record.score == Decimal("50.00")
    assert 'id="score"' in detail(client, record) and "50.00" in detail(client, record)
    bad = act(client, record, "assessment", {**data, "assessment-version": record.version, "assessment-risk": 9})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()


def test_tasks_are_added_and_marked_done(client, manager):
    record = improvement(manager, stage="action")
    owner = factories.agent(first_name="Ada", last_name="Owner")
    assert act(client, record, "add-task", {"task-title": "Order spares", "task-owner": owner.pk,
                                            "task-due_date": "2030-01-31"}).status_code == 302
    task = record.tasks.get()
    assert (task.title, task.owner, task.done_at) == ("Order spares", owner, None)
    html = detail(client, record)
    assert "Order spares" in html and "Ada Owner" in html and "2030-01-31" in html
    assert act(client, record, "add-task", {"task-title": ""}).status_code == 400
    assert act(client, record, "task-done", {"task": task.pk, "done": "on"}).status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None
    assert act(client, record, "task-done", {"task": task.pk}).status_code == 302
    task.refresh_from_db()
    assert task.done_at is None
    assert act(client, record, "task-done", {"task": 999999}).status_code == 404
    # an open task stops the record leaving "take action", named on the form
    refused = act(client, fresh(record), "stage", step_data(fresh(record), "action", {}, advance=True))
    assert refused.status_code == 400 and "These tasks are not done yet: Order spares" in refused.content.decode()


def test_linked_changes_and_problems_are_listed_on_the_action_step(client, manager):
    record = improvement(manager, stage="action")
    problem = factories.problem(manager, title="Laptop disks fail")
    assert act(client, record, "link", {"number": problem.number, "kind": "related"}).status_code == 302
    assert TicketLink.objects.filter(source_id=record.pk, target_id=problem.pk).exists()
    linked = detail(client, record).split('id="linked-work"')[1].split("</ul>")[0]
    assert problem.number in linked and "Laptop disks fail" in linked


def test_managers_set_the_rank_with_a_reason(client, manager):
    record = improvement(manager, stage="plan")
    other = improvement(manager, stage="plan", benefit=5)
    assert 'id="set-rank"' in detail(client, record)
    missing = act(client, record, "set-rank", {"rank-rank": 1, "rank-reason": "", "rank-version": record.version})
    assert missing.status_code == 400 and "This field is required" in missing.content.decode()
    assert act(client, record, "set-rank", {"rank-rank": 1, "rank-reason": "Audit finding",
                                            "rank-version": record.version}).status_code == 302
    record = fresh(record)
    assert (record.rank_override, record.rank_reason) == (1, "Audit finding")
    html = detail(client, record)
    assert "Rank 1 of 2" in html and 'id="rank-reason"' in html and "Audit finding" in html
    assert other.number in register(client)


def test_agents_cannot_set_the_rank(client, agent):
    record = improvement(stage="plan")
    assert 'id="set-rank"' not in detail(client, record)
    assert act(client, record, "set-rank", {"rank-rank": 1, "rank-reason": "Mine first",
                                            "rank-version": record.version}).status_code == 403
    assert fresh(record).rank_override is None


def test_measure_now_in_action_and_result(client, manager, measured):
    measured.extend([90.0, 93.0, 96.0])  # baseline, the result on entering "did we get there", then measure now
    record = improvement(manager, stage="result")
    html = detail(client, record)
    assert 'id="measure-now"' in html and 'id="result-value">93.0%' in html and "Partly achieved" in html
    response = act(client, record, "measure", {"version": record.version})
    assert response.status_code == 302
    record = fresh(record)
    assert record.result_value == 96.0 and record.outcome == "achieved"
    html = detail(client, record)
    assert 'id="outcome-badge">Achieved' in html and 'id="result-report"' in html
    assert html.count('class="chart-result') == 2 and html.count('class="chart-baseline"') == 1
    early = improvement(manager, stage="target")
    assert 'id="measure-now"' not in detail(client, early)
    refused = act(client, early, "measure", {"version": early.version})
    assert refused.status_code == 400 and "until the improvement closes" in refused.content.decode()


def test_withdraw_keeps_the_reason_and_stops_the_stepper(client, manager):
    record = improvement(manager, stage="target")
    html = detail(client, record)
    assert "Withdraw" in html and 'name="submit-baseline"' not in html  # forward moves are the step forms' job
    refused = act(client, record, "transition", {"to": "closed", "closed-version": record.version})
    assert refused.status_code == 400
    done = act(client, record, "transition", {"to": "closed", "closed-version": record.version,
                                              "closed-withdrawn_reason": "Replaced by a bigger project"})
    assert done.status_code == 302
    record = fresh(record)
    assert (record.state, record.closure) == ("closed", "withdrawn")
    html = detail(client, record)
    stepper = html.split('class="stepper"')[1].split("</nav>")[0]
    assert stepper.count("step-done") == 2 and "step-withdrawn" in stepper and "withdrawn here" in stepper
    assert "Replaced by a bigger project" in html and 'id="withdrawn-badge"' in html
    assert 'class="stage-form' not in html and 'id="set-rank"' not in html


def test_a_closed_record_shows_every_step_done(client, manager):
    record = improvement(manager, stage="closed")
    html = detail(client, record)
    stepper = html.split('class="stepper"')[1].split("</nav>")[0]
    assert stepper.count("step-done") == 7
    assert "Review spares every quarter" in html
    assert act(client, record, "stage", step_data(record, "momentum", {"follow_ups": "More"})).status_code == 400


def test_an_htmx_step_save_answers_with_the_page_fragment(client, manager):
    record = improvement(manager, stage="target")
    response = client.post(reverse("improvement:action", args=[record.pk, "stage"]),
                           step_data(record, "target", {"target_value": "not a number"}, advance=True),
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="ticket"')
    assert "Enter a number." in html and 'value="not a number"' in html
    assert fresh(record).state == "target"


def test_an_empty_register_says_so_and_offers_the_closed_ones(client, manager):
    html = register(client, "?source=audit")
    assert "No improvements match this filter." in html and "?open=false" in html


def test_step_content_is_escaped(client, manager):
    record = improvement(manager, stage="baseline", title="<script>alert(1)</script>")
    services.update_improvement(record, manager, {"swot_threats": "<b>bold</b>"})
    html = detail(client, fresh(record))
    assert "<script>alert(1)</script>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_the_next_step_button_names_the_next_step_and_content_has_its_labels(client, manager):
    record = improvement(manager, stage="plan")
    html = detail(client, record)
    assert "Save and go to the next step: 5. Take action" in html
    form = html.split('id="stage-form-plan"')[1].split("</form>")[0]
    for name in CONTENT["plan"]:
        assert f'name="step-plan-{name}"' in form
    assert form.count('class="needed"') == 6
