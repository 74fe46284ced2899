"""Satisfaction surveys: sent on resolve (once), answered once by the requester, API and portal page."""

import pytest
from django.urls import reverse

from core.models import Outbox
from incidents import services as incident_services
from slm.models import SatisfactionSurvey
from tests.support import factories
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db

RESOLVE = {"resolution_code": "solved_permanently", "resolution_notes": "Replaced the toner."}


def surveys_mailed(incident, requester):
    """Survey e-mails only (the requester is also told of the resolution itself)."""
    return Outbox.objects.filter(ticket=incident, recipient=requester.email,
                                 subject__startswith="How did we do").count()


def resolved_incident(requester, agent):
    incident = factories.incident(actor=agent, requester=requester)
    return incident_services.transition_incident(incident, agent, "resolved", RESOLVE)


def test_resolving_sends_one_survey_even_when_reopened_and_resolved_again(requester_user, agent_user):
    incident = resolved_incident(requester_user, agent_user)
    survey = SatisfactionSurvey.objects.get(ticket=incident)
    assert (survey.requester, survey.rating, survey.answered_at) == (requester_user, None, None)
    assert surveys_mailed(incident, requester_user) == 1
    incident = incident_services.transition_incident(incident, requester_user, "in_progress")
    incident_services.transition_incident(incident, agent_user, "resolved", RESOLVE)
    assert SatisfactionSurvey.objects.filter(ticket=incident).count() == 1
    assert surveys_mailed(incident, requester_user) == 1


def test_no_survey_before_resolution_or_without_requester(requester_user, agent_user):
    incident = factories.incident(actor=agent_user, requester=requester_user)
    incident_services.transition_incident(incident, agent_user, "in_progress")
    orphan = factories.incident(actor=agent_user)
    incident_services.transition_incident(orphan, agent_user, "resolved", RESOLVE)
    assert SatisfactionSurvey.objects.count() == 0


def test_requester_lists_and_answers_own_survey(requester_user, agent_user, api_as):
    incident = resolved_incident(requester_user, agent_user)
    resolved_incident(factories.requester(username="someone"), agent_user)
    api = api_as(requester_user)
    listing = api.get("/api/v1/surveys/").json()["results"]
    assert [(s["ticket_number"], s["rating"]) for s in listing] == [(incident.number, None)]
    survey_id = listing[0]["id"]
    response = api.post(f"/api/v1/surveys/{survey_id}/answer/", {"rating": 4, "comment": "Quick, thanks"},
                        format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["rating"], response.json()["comment"]) == (4, "Quick, thanks")
    assert response.json()["answered_at"]
    again = api.post(f"/api/v1/surveys/{survey_id}/answer/", {"rating": 1}, format="json")
    assert again.status_code == 409
    assert SatisfactionSurvey.objects.get(pk=survey_id).rating == 4


@pytest.mark.parametrize("rating", [0, 6, -1, "five", None, 3.5])
def test_rating_outside_1_to_5_is_400(requester_user, agent_user, api_as, rating):
    survey = resolved_incident(requester_user, agent_user).satisfaction_survey
    response = api_as(requester_user).post(f"/api/v1/surveys/{survey.pk}/answer/", {"rating": rating},
                                           format="json")
    assert response.status_code == 400
    assert "rating" in response.json()
    assert SatisfactionSurvey.objects.get(pk=survey.pk).answered_at is None


def test_someone_elses_survey_is_403_and_not_listed(requester_user, agent_user, api_as):
    survey = resolved_incident(requester_user, agent_user).satisfaction_survey
    stranger = factories.requester(username="stranger")
    api = api_as(stranger)
    assert api.post(f"/api/v1/surveys/{survey.pk}/answer/", {"rating": 5}, format="json").status_code == 403
    assert api.get("/api/v1/surveys/").json()["results"] == []
    assert api.get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    assert api_as(agent_user).post(f"/api/v1/surveys/{survey.pk}/answer/", {"rating": 5},
                                   format="json").status_code == 403


def test_survey_list_query_count_is_constant(requester_user, agent_user, api_as):
    api = api_as(requester_user)
    resolved_incident(requester_user, agent_user)
    api.get("/api/v1/surveys/")
    one = count_queries(lambda: api.get("/api/v1/surveys/"))
    for _ in range(4):
        resolved_incident(requester_user, agent_user)
    assert count_queries(lambda: api.get("/api/v1/surveys/")) == one


def test_portal_page_answers_once(client, requester_user, agent_user):
    survey = resolved_incident(requester_user, agent_user).satisfaction_survey
    client.force_login(requester_user)
    page = client.get(f"/slm/surveys/{survey.pk}/")
    assert page.status_code == 200 and b'name="rating"' in page.content
    bad = client.post(f"/slm/surveys/{survey.pk}/", {"rating": "9"})
    assert bad.status_code == 400 and b'class="error"' in bad.content
    done = client.post(f"/slm/surveys/{survey.pk}/", {"rating": "5", "comment": "Great"}, follow=True)
    assert done.status_code == 200 and b"survey-answered" in done.content
    client.post(f"/slm/surveys/{survey.pk}/", {"rating": "1"})
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (5, "Great")


def test_portal_page_of_someone_else_is_403(client, requester_user, agent_user):
    survey = resolved_incident(requester_user, agent_user).satisfaction_survey
    client.force_login(factories.requester(username="other"))
    assert client.get(f"/slm/surveys/{survey.pk}/").status_code == 403


def test_scores_per_service_and_team_in_reports(requester_user, agent_user, manager_user, api_as):
    service = factories.ServiceFactory(name="VPN")
    team = factories.TeamFactory(name="Network", members=[agent_user])
    for rating in (5, 4, 2):
        incident = factories.incident(actor=agent_user, requester=requester_user, service=service, team=team)
        incident = incident_services.transition_incident(incident, agent_user, "resolved", RESOLVE)
        api_as(requester_user).post(f"/api/v1/surveys/{incident.satisfaction_survey.pk}/answer/",
                                    {"rating": rating}, format="json")
    api = api_as(manager_user)
    rows = api.get("/api/v1/reports/satisfaction/", {"group_by": "service"}).json()["rows"]
    assert rows == [{"key": service.pk, "label": "VPN", "count": 3, "average": 3.67,
                     "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}}]
    rows = api.get("/api/v1/reports/satisfaction/", {"group_by": "team"}).json()["rows"]
    assert [(r["label"], r["count"]) for r in rows] == [("Network", 3)]
    assert api.get("/api/v1/reports/satisfaction/", {"group_by": "agreement"}).status_code == 400


def test_requester_rates_from_the_ticket_page_and_agent_sees_the_rating(requester_user, agent_user, client):
    incident = resolved_incident(requester_user, agent_user)
    page_url = reverse("incidents:detail", args=[incident.pk])
    client.force_login(requester_user)
    page = client.get(page_url).content.decode()
    assert 'id="ticket-survey"' in page and 'name="rating"' in page
    response = client.post(reverse("slm:survey", args=[incident.satisfaction_survey.pk]),
                           {"rating": 4, "comment": "Quick", "from_ticket": "1"})
    assert response.status_code == 302 and response.url == page_url
    assert "You rated this 4 out of 5" in client.get(page_url).content.decode()
    client.force_login(agent_user)
    assert "The requester rated this 4 out of 5" in client.get(page_url).content.decode()


def test_survey_panel_is_absent_for_other_requesters_and_before_resolution(requester_user, agent_user, client):
    incident = resolved_incident(requester_user, agent_user)
    colleague = factories.requester(username="colleague", organization=requester_user.profile.organization)
    client.force_login(colleague)
    response = client.get(reverse("incidents:detail", args=[incident.pk]))
    assert 'id="ticket-survey"' not in response.content.decode()
