"""The change page: badges, plan, affected services, panels, implementation tasks, review, the transitions'
forms; the queue head; the create form; bounded queries; requesters kept out."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from changes import tasks_services
from changes.models import Change, ChangeTask
from core.models import AuditEntry
from tests.support import change_factories, factories
from tests.support.cmdb_factories import CIFactory, RelationshipFactory
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


def page(client, change):
    response = client.get(reverse("changes:detail", args=[change.pk]))
    assert response.status_code == 200
    return response.content.decode()


def act(client, change, name, data):
    return client.post(reverse("changes:action", args=[change.pk, name]), data)


@pytest.fixture
def agent(client):
    user = factories.agent()
    client.force_login(user)
    return user


def test_page_shows_every_section(client, agent):
    mail = factories.ServiceFactory(name="Mail")
    switch = CIFactory(name="core-switch-01")
    change = change_factories.change(agent, change_type="emergency", reason="Firmware bug",
                                     test_plan="Ping every VLAN", configuration_items=[switch],
                                     services=[mail])
    html = page(client, change)
    for marker in ('id="change-type"', "Emergency", 'id="risk-badge"', 'id="change-reason"', "Firmware bug",
                   'id="planned-window"', 'id="implementation-plan"', "Stage image", 'id="backout-plan"',
                   "Boot the previous image", 'id="test-plan"', "Ping every VLAN", 'id="change-cis"',
                   reverse("cmdb:ci_detail", args=[switch.pk]), 'id="change-services"', 'id="affected-services"',
                   'id="risk-panel"', 'id="authorisation-panel"', 'id="conflicts-panel"', 'id="change-tasks"',
                   'id="add-task-form"', 'id="review"', 'id="review-required"', 'id="caused-incidents"'):
        assert marker in html, marker
    assert "Mail" in html
    assert 'id="review-form"' not in html  # only in review


def test_affected_services_name_the_ci_they_come_through(client, agent):
    payroll = factories.ServiceFactory(name="Payroll")
    app, db = CIFactory(name="payroll-app", service=payroll), CIFactory(name="payroll-db")
    RelationshipFactory(source=app, target=db)  # the app depends on the database
    change = change_factories.change(agent, configuration_items=[db])
    html = page(client, change)
    table = html.split('id="affected-services"')[1].split("</table>")[0]
    assert "Payroll" in table and reverse("cmdb:ci_detail", args=[db.pk]) in table and "payroll-db" in table
    assert "1 step" in table


def test_add_and_finish_tasks_audited_and_version_bumped(client, agent):
    team = factories.TeamFactory(name="Network", members=[agent])
    outsider = factories.agent()
    change = change_factories.change(agent)
    version = change.version
    response = act(client, change, "add-task", {"title": "Stage the image", "team": team.pk, "assignee": agent.pk})
    assert response.status_code == 302
    task = ChangeTask.objects.get(change=change)
    assert (task.title, task.team, task.assignee, task.order) == ("Stage the image", team, agent, 1)
    assert Change.objects.get(pk=change.pk).version > version
    assert AuditEntry.objects.filter(ticket_id=change.pk, changes__has_key="change_task").exists()
    bad = act(client, change, "add-task", {"title": "Reload", "team": team.pk, "assignee": outsider.pk})
    assert bad.status_code == 400 and "member of the task" in bad.content.decode()
    assert act(client, change, "add-task", {"title": "", "team": team.pk}).status_code == 400
    act(client, change, "add-task", {"title": "Reload", "team": team.pk})
    second = ChangeTask.objects.get(change=change, title="Reload")
    assert second.order == 2
    done = act(client, change, "complete-task", {"task": task.pk, "state": "done", "notes": "Staged"})
    assert done.status_code == 302
    assert act(client, change, "complete-task", {"task": second.pk, "state": "skipped"}).status_code == 302
    task.refresh_from_db()
    second.refresh_from_db()
    assert (task.state, task.notes, second.state) == ("done", "Staged", "skipped") and task.completed_at
    assert AuditEntry.objects.filter(ticket_id=change.pk, changes__has_key="change_task_done").exists()
    assert AuditEntry.objects.filter(ticket_id=change.pk, changes__has_key="change_task_skipped").exists()
    again = act(client, change, "complete-task", {"task": task.pk, "state": "done"})
    assert again.status_code == 400 and "already finished" in again.content.decode()
    assert act(client, change, "complete-task", {"task": "x", "state": "done"}).status_code == 400
    assert act(client, change, "complete-task", {"task": 999999, "state": "done"}).status_code == 404
    other = change_factories.change(agent)
    assert act(client, other, "complete-task", {"task": second.pk, "state": "done"}).status_code == 404


def test_no_tasks_on_a_finished_change(agent):
    team = factories.TeamFactory(name="Network")
    change = change_factories.implemented(agent, close=True)
    with pytest.raises(ValidationError):
        tasks_services.add_task(change, agent, {"title": "Late", "team": team})


def test_review_is_recorded_while_in_review(client, agent):
    change = change_factories.implemented(agent, outcome="failed")
    html = page(client, change)
    assert 'id="review-form"' in html and 'id="review-required"' in html
    assert 'id="implementation-record"' in html and "Failed" in html
    response = act(client, change, "review", {"version": change.version, "review_notes": "Image was corrupt"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.review_notes == "Image was corrupt" and change.reviewed_at
    assert AuditEntry.objects.filter(ticket_id=change.pk, changes__has_key="review_notes").exists()
    stale = act(client, change, "review", {"version": change.version - 1, "review_notes": "Other"})
    assert stale.status_code == 400
    assert act(client, change, "review", {"version": change.version, "review_notes": ""}).status_code == 400
    draft = change_factories.change(agent)
    refused = act(client, draft, "review", {"version": draft.version, "review_notes": "Too early"})
    assert refused.status_code == 400 and not Change.objects.get(pk=draft.pk).review_notes


def test_complete_implementation_form_requires_the_outcome(client, agent):
    change = change_factories.change(agent)
    Change.objects.filter(pk=change.pk).update(state="implement", authorised_at=change.created_at)  # test set-up
    change.refresh_from_db()
    html = page(client, change)
    assert 'name="review-outcome"' in html
    url = reverse("changes:action", args=[change.pk, "transition"])
    response = client.post(url, {"to": "review", "review-version": change.version})
    assert response.status_code == 400
    assert Change.objects.get(pk=change.pk).state == "implement"
    response = client.post(url, {"to": "review", "review-version": change.version, "review-outcome": "successful"})
    assert response.status_code == 302
    assert Change.objects.get(pk=change.pk).outcome == "successful"


def test_queue_head_links_only_to_pages_that_exist(client, agent):
    html = client.get(reverse("changes:list")).content.decode()
    assert 'id="change-links"' in html
    assert f'href="{reverse("change_reports:index")}"' in html


def test_create_form_with_window_and_ci_names(client, agent):
    switch = CIFactory(name="core-switch-01")
    url = reverse("changes:create")
    assert client.get(url).status_code == 200
    base = {"title": "Replace the core switch", "change_type": "normal", "impact": 2, "urgency": 2,
            "implementation_plan": "Swap", "backout_plan": "Swap back"}
    response = client.post(url, {**base, "planned_start": "2030-01-05T22:00", "planned_end": "2030-01-05T21:00",
                                  "configuration_items": "core-switch-01"})
    assert response.status_code == 400 and "after the planned start" in response.content.decode()
    response = client.post(url, {**base, "configuration_items": "core-switch-01, no-such-ci"})
    assert response.status_code == 400 and "no-such-ci" in response.content.decode()
    response = client.post(url, {**base, "planned_start": "2030-01-05T22:00"})
    assert response.status_code == 400 and "both" in response.content.decode()
    response = client.post(url, {**base, "planned_start": "2030-01-05T22:00", "planned_end": "2030-01-05T23:00",
                                  "configuration_items": "core-switch-01"})
    assert response.status_code == 302
    change = Change.objects.get(title="Replace the core switch")
    assert list(change.configuration_items.all()) == [switch] and change.planned_end > change.planned_start


def test_detail_page_queries_do_not_grow_with_tasks_and_cis(client, agent):
    team = factories.TeamFactory(name="Network", members=[agent])

    def build(n):
        change = change_factories.change(agent, configuration_items=[CIFactory() for _ in range(n)])
        for i in range(n):
            tasks_services.add_task(change, agent, {"title": f"Step {i}", "team": team, "assignee": agent})
        return change

    small, large = build(1), build(8)
    url = reverse("changes:detail", args=[small.pk])
    client.get(url)
    few = count_queries(lambda: client.get(url))
    many = count_queries(lambda: client.get(reverse("changes:detail", args=[large.pk])))
    assert few == many, f"{few} queries for 1 task and CI, {many} for 8"
    assert many <= 60, many


@pytest.mark.parametrize("make", [factories.requester, lambda: factories.UserFactory()])
def test_requesters_cannot_see_a_change(client, make):
    change = change_factories.change()
    client.force_login(make())
    assert client.get(reverse("changes:detail", args=[change.pk])).status_code == 404
    assert act(client, change, "add-task", {"title": "x"}).status_code in (403, 404)
    assert client.get(reverse("change_reports:index")).status_code == 403
