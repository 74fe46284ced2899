"""Concurrent writes: unique numbers under parallel creates, stale If-Match and stale version refused."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from incidents.models import Incident
from tests.conftest import client_for
from tests.support import factories

URL = "/api/v1/incidents/"


@pytest.mark.django_db(transaction=True)
def test_parallel_creates_get_unique_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers with one database lock; concurrent creates need PostgreSQL")
    agents = [factories.agent(username=f"parallel{i}") for i in range(8)]
    clients = [client_for(agent) for agent in agents]

    def create(i):
        try:
            response = clients[i % len(clients)].post(URL, {"title": f"Outage report {i}"})
            return response.status_code, response.json().get("number")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(create, range(40)))
    assert [status for status, _ in outcomes] == [201] * 40
    numbers = [number for _, number in outcomes]
    assert len(set(numbers)) == 40
    assert Incident.objects.count() == 40


@pytest.mark.django_db
def test_stale_if_match_is_412_and_nothing_is_written(agent_user, agent_api):
    incident = factories.incident(actor=agent_user)
    url = f"{URL}{incident.pk}/"
    assert agent_api.patch(url, {"urgency": 1}, HTTP_IF_MATCH='"1"').status_code == 200
    stale = agent_api.patch(url, {"title": "overwritten"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2 and stale["ETag"] == '"2"'
    assert agent_api.post(f"{url}transition/", {"to": "in_progress"}, HTTP_IF_MATCH='W/"1"').status_code == 412
    assert agent_api.patch(url, {"title": "x"}, HTTP_IF_MATCH="garbage").status_code == 412
    incident.refresh_from_db()
    assert incident.title != "overwritten" and incident.state == "new" and incident.version == 2
    assert agent_api.patch(url, {"title": "fresh"}, HTTP_IF_MATCH="*").status_code == 200


@pytest.mark.django_db
def test_stale_body_version_is_409(agent_user, agent_api):
    incident = factories.incident(actor=agent_user)
    url = f"{URL}{incident.pk}/"
    assert agent_api.patch(url, {"urgency": 1, "version": 1}).status_code == 200
    response = agent_api.patch(url, {"title": "lost update", "version": 1})
    assert response.status_code == 409 and response.json()["current_version"] == 2
    response = agent_api.post(f"{url}transition/", {"to": "in_progress", "version": 1})
    assert response.status_code == 409
    response = agent_api.patch(url, {"title": "mixed", "version": 1}, HTTP_IF_MATCH='"2"')
    assert response.status_code == 409
    incident.refresh_from_db()
    assert incident.version == 2 and incident.state == "new"


@pytest.mark.django_db
@pytest.mark.parametrize("name, content, content_type, message", [
    ("big.txt", b"x" * 2048, "text/plain", "too large"),
    ("tool.exe", b"MZ", "application/x-msdownload", "not accepted"),
])
def test_bad_attachments_are_400(settings, agent_user, agent_api, name, content, content_type, message):
    settings.ATTACHMENT_MAX_BYTES = 1024
    incident = factories.incident(actor=agent_user)
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    response = agent_api.post(f"{URL}{incident.pk}/attachments/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert message in " ".join(response.json()["file"])
    assert not incident.attachments.exists()


@pytest.mark.django_db
def test_missing_or_empty_file_is_400(agent_user, agent_api):
    incident = factories.incident(actor=agent_user)
    url = f"{URL}{incident.pk}/attachments/"
    assert "file" in agent_api.post(url, {}, format="multipart").json()
    empty = SimpleUploadedFile("empty.txt", b"", content_type="text/plain")
    assert agent_api.post(url, {"file": empty}, format="multipart").status_code == 400
    ok = SimpleUploadedFile("trace.txt", b"trace", content_type="text/plain")
    body = agent_api.post(url, {"file": ok}, format="multipart").json()
    assert body["filename"] == "trace.txt" and body["size"] == 5 and body["content_type"] == "text/plain"
