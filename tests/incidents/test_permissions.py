"""Incident permission rules beyond the shared role x action matrix of tests/incidents/test_kind.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support import factories
from tests.support.api_factories import incident_in_state

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents/"


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
