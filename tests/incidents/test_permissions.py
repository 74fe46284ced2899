"""Role x action matrix of the incident API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support import factories
from tests.support.api_factories import incident_in_state

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents/"
ROLES = {"requester": factories.requester, "agent": factories.agent, "manager": factories.manager,
         "admin": factories.admin, "anonymous": None}


def act(api, action, incident):
    detail = f"{URL}{incident.pk}/"
    if action == "list":
        return api.get(URL)
    if action == "retrieve":
        return api.get(detail)
    if action == "create":
        return api.post(URL, {"title": "VPN drops every hour"})
    if action == "patch":
        return api.patch(detail, {"urgency": 1})
    if action == "transition":
        return api.post(f"{detail}transition/", {"to": "in_progress"})
    if action == "comment":
        return api.post(f"{detail}comments/", {"body": "Any news?"})
    if action == "work_note":
        return api.post(f"{detail}comments/", {"body": "Suspect the firewall", "internal": True})
    if action == "attachment":
        upload = SimpleUploadedFile("log.txt", b"error 42", content_type="text/plain")
        return api.post(f"{detail}attachments/", {"file": upload}, format="multipart")
    if action == "audit":
        return api.get(f"{detail}audit/")
    raise AssertionError(action)


STAFF = {"list": 200, "retrieve": 200, "create": 201, "patch": 200, "transition": 200, "comment": 201,
         "work_note": 201, "attachment": 201, "audit": 200}
EXPECTED = {
    "requester": {"list": 200, "retrieve": 200, "create": 201, "patch": 403, "transition": 403, "comment": 201,
                  "work_note": 403, "attachment": 201, "audit": 403},
    "agent": STAFF, "manager": STAFF, "admin": STAFF,
    "anonymous": {action: 401 for action in STAFF},
}
MATRIX = [(role, action, status) for role, row in EXPECTED.items() for action, status in row.items()]


@pytest.mark.parametrize("role, action, status", MATRIX)
def test_role_action_matrix(api_as, role, action, status):
    user = ROLES[role]() if ROLES[role] else None
    incident = incident_in_state("new", requester=user if role == "requester" else factories.requester())
    response = act(api_as(user), action, incident)
    assert response.status_code == status, response.content


@pytest.mark.parametrize("action", ["retrieve", "patch", "transition", "comment", "attachment", "audit"])
def test_requester_gets_404_for_others_tickets(api_as, action):
    incident = incident_in_state("new", requester=factories.requester())
    assert act(api_as(factories.requester()), action, incident).status_code == 404


def test_requester_list_shows_own_and_organization_when_allowed(api_as):
    org = factories.OrganizationFactory(requesters_see_organization_tickets=True)
    me, colleague = factories.requester(organization=org), factories.requester(organization=org)
    mine = incident_in_state("new", requester=me)
    theirs = incident_in_state("new", requester=colleague)
    incident_in_state("new", requester=factories.requester())
    ids = {row["id"] for row in api_as(me).get(URL).json()["results"]}
    assert ids == {mine.pk, theirs.pk}


@pytest.mark.parametrize("to", ["in_progress", "closed"])
def test_requester_reopens_or_closes_own_resolved_incident(api_as, to):
    me = factories.requester()
    incident = incident_in_state("resolved", requester=me)
    api = api_as(me)
    allowed = {t["to"] for t in api.get(f"{URL}{incident.pk}/").json()["allowed_transitions"]}
    assert allowed == {"in_progress", "closed"}
    response = api.post(f"{URL}{incident.pk}/transition/", {"to": to, "comment": "Still broken" if to ==
                                                            "in_progress" else "Thanks"})
    assert response.status_code == 200 and response.json()["state"] == to


def test_requester_cannot_see_internal_attachments(api_as, agent_api):
    me = factories.requester()
    incident = incident_in_state("new", requester=me)
    url = f"{URL}{incident.pk}/attachments/"
    for name, internal in (("public.txt", False), ("internal.txt", True)):
        upload = SimpleUploadedFile(name, b"x", content_type="text/plain")
        assert agent_api.post(url, {"file": upload, "internal": internal}, format="multipart").status_code == 201
    assert [a["filename"] for a in api_as(me).get(url).json()["results"]] == ["public.txt"]
    assert len(agent_api.get(url).json()["results"]) == 2
