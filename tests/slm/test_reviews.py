"""Service reviews: managers create and edit them (API with nested actions, HTML forms); agents read."""

import datetime

import pytest

from slm import reviews
from slm.models import ServiceReview
from tests.support import factories
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/service-reviews/"


@pytest.fixture
def service():
    return factories.ServiceFactory(name="E-mail")


def payload(service, owner, **extra):
    return {"service": service.pk, "organization": factories.OrganizationFactory(name="ACME").pk,
            "date": "2026-11-05", "participants": "Li Wei (customer), Ana (service owner)",
            "findings": "Two P2 breaches in October.", "decisions": "Add a night shift.",
            "actions": [{"description": "Staff the night shift", "owner": owner.pk, "due_date": "2026-12-01"}],
            **extra}


def test_manager_creates_and_edits_a_review_with_actions(manager_user, agent_user, api_as, service):
    api = api_as(manager_user)
    response = api.post(URL, payload(service, agent_user), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["report_period"] == "2026-10"  # empty period: the month before the meeting
    assert [(a["description"], a["owner"], a["status"]) for a in data["actions"]] == [
        ("Staff the night shift", agent_user.pk, "open")]
    action_id = data["actions"][0]["id"]
    changed = api.patch(f"{URL}{data['id']}/", {"period": "2026Q3", "actions": [
        {"id": action_id, "description": "Staff the night shift", "status": "done"},
        {"description": "Review the P2 target", "due_date": "2026-11-30"}]}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["report_period"] == "2026Q3"
    assert sorted((a["description"], a["status"]) for a in changed.json()["actions"]) == [
        ("Review the P2 target", "open"), ("Staff the night shift", "done")]
    assert api.patch(f"{URL}{data['id']}/", {"actions": []}, format="json").json()["actions"] == []
    assert api.delete(f"{URL}{data['id']}/").status_code == 204
    assert not ServiceReview.objects.exists()


@pytest.mark.parametrize("change, field", [
    ({"period": "October"}, "period"), ({"date": "soon"}, "date"), ({"service": 999999}, "service"),
    ({"actions": [{"description": "", "owner": None}]}, "actions"),
    ({"actions": [{"description": "x", "status": "maybe"}]}, "actions"),
])
def test_bad_review_input_is_400(manager_user, agent_user, api_as, service, change, field):
    response = api_as(manager_user).post(URL, {**payload(service, agent_user), **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ServiceReview.objects.exists()


def test_permission_matrix(manager_user, admin_user, agent_user, requester_user, api_as, service):
    review = reviews.create_review(manager_user, {"service": service, "date": datetime.date(2026, 11, 5)})
    for user, read, write in [(manager_user, 200, 201), (admin_user, 200, 201), (agent_user, 200, 403),
                              (requester_user, 403, 403)]:
        api = api_as(user)
        assert api.get(URL).status_code == read, user
        assert api.get(f"{URL}{review.pk}/").status_code == (read if read == 200 else 403), user
        assert api.post(URL, payload(service, agent_user), format="json").status_code == write, user
        assert api.patch(f"{URL}{review.pk}/", {"findings": "x"}, format="json").status_code == (
            200 if write == 201 else 403), user


def test_list_query_count_is_constant(manager_user, agent_user, api_as, service):
    api = api_as(agent_user)
    reviews.create_review(manager_user, {"service": service, "date": datetime.date(2026, 11, 5)},
                          [{"description": "a"}])
    api.get(URL)
    one = count_queries(lambda: api.get(URL))
    for day in range(6, 10):
        reviews.create_review(manager_user, {"service": service, "date": datetime.date(2026, 11, day)},
                              [{"description": "a"}, {"description": "b"}])
    assert count_queries(lambda: api.get(URL)) == one


def test_html_create_edit_and_link_to_monthly_report(client, manager_user, agent_user, service):
    client.force_login(manager_user)
    assert client.get("/slm/reviews/new/").status_code == 200
    form = {"service": service.pk, "date": "2026-11-05", "period": "", "participants": "Ana",
            "findings": "Fine", "decisions": "None", "actions-TOTAL_FORMS": "2", "actions-INITIAL_FORMS": "0",
            "actions-0-description": "Send the report", "actions-0-owner": agent_user.pk,
            "actions-0-due_date": "2026-11-20", "actions-0-status": "open",
            "actions-1-description": "", "actions-1-status": "open"}
    response = client.post("/slm/reviews/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    review = ServiceReview.objects.get()
    assert [a.description for a in review.actions.all()] == ["Send the report"]
    detail = client.get(response["Location"]).content.decode()
    assert f"/slm/reports/service/{service.pk}/?period=2026-10" in detail
    action = review.actions.get()
    edit = {**form, "findings": "Better", "actions-TOTAL_FORMS": "1", "actions-INITIAL_FORMS": "1",
            "actions-0-id": action.pk, "actions-0-status": "done"}
    assert client.post(f"/slm/reviews/{review.pk}/edit/", edit).status_code == 302
    review.refresh_from_db()
    assert review.findings == "Better" and review.actions.get().status == "done"
    bad = client.post("/slm/reviews/new/", {**form, "date": "", "period": "2026-14"})
    assert bad.status_code == 400 and bad.content.count(b'class="error"') >= 2


def test_agents_read_html_but_cannot_edit(client, manager_user, agent_user, requester_user, service):
    review = reviews.create_review(manager_user, {"service": service, "date": datetime.date(2026, 11, 5)})
    client.force_login(agent_user)
    assert client.get("/slm/reviews/").status_code == 200
    assert client.get(f"/slm/reviews/{review.pk}/").status_code == 200
    assert client.get(f"/slm/reviews/{review.pk}/edit/").status_code == 403
    assert client.get("/slm/reviews/new/").status_code == 403
    client.force_login(requester_user)
    assert client.get("/slm/reviews/").status_code == 403
