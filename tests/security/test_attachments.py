"""Attachments: bytes are sniffed on upload, downloads are permission-checked and never rendered inline."""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

from core import services as core_services
from tests.support import factories

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _attach(ticket, actor, name, content, declared):
    return core_services.add_attachment(ticket, actor, SimpleUploadedFile(name, content, content_type=declared))


@pytest.mark.django_db
def test_png_renamed_txt_is_stored_as_png_not_as_text():
    agent = factories.agent()
    attachment = _attach(factories.incident(actor=agent), agent, "notes.txt", PNG, "text/plain")
    assert attachment.content_type == "image/png"


@pytest.mark.django_db
@pytest.mark.parametrize("content", [
    b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    b"  <html><body onload=alert(1)>",
    b"<script>alert(document.cookie)</script>",
])
def test_html_declared_as_png_or_text_is_refused(content):
    agent = factories.agent()
    ticket = factories.incident(actor=agent)
    for declared in ("image/png", "text/plain"):
        with pytest.raises(ValidationError) as error:
            _attach(ticket, agent, "pic.png", content, declared)
        assert "file" in error.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("content", [
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
])
def test_svg_is_refused(content):
    agent = factories.agent()
    with pytest.raises(ValidationError):
        _attach(factories.incident(actor=agent), agent, "logo.svg", content, "image/svg+xml")


@pytest.mark.django_db
def test_text_with_nul_or_invalid_utf8_is_refused():
    agent = factories.agent()
    ticket = factories.incident(actor=agent)
    for content in (b"hello\x00world", b"\xff\xfe\xfa binary"):
        with pytest.raises(ValidationError):
            _attach(ticket, agent, "log.txt", content, "text/plain")
    assert _attach(ticket, agent, "ok.csv", "name,value\nprinter,3\n".encode(), "text/csv").content_type == \
        "text/csv"
    assert _attach(ticket, agent, "app.log", "2026 ERROR 日志".encode(), "text/plain").content_type == "text/plain"


@pytest.mark.django_db
def test_download_headers(client):
    agent = factories.agent()
    attachment = _attach(factories.incident(actor=agent), agent, "café report.txt", b"all fine", "text/plain")
    client.force_login(agent)
    response = client.get(reverse("attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''caf%C3%A9%20report.txt" in disposition


@pytest.mark.django_db
def test_stored_html_content_type_is_served_as_octet_stream(client):
    """A row stored before sniffing existed (or edited by hand) never comes back as text/html."""
    agent = factories.agent()
    attachment = _attach(factories.incident(actor=agent), agent, "page.txt", b"plain words", "text/plain")
    type(attachment).objects.filter(pk=attachment.pk).update(content_type="text/html")
    client.force_login(agent)
    response = client.get(reverse("attachment_download", args=[attachment.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.django_db
def test_requester_of_another_organization_gets_404(client):
    agent = factories.agent()
    owner = factories.requester(organization=factories.OrganizationFactory())
    attachment = _attach(factories.incident(actor=agent, requester=owner), agent, "a.txt", b"secret", "text/plain")
    client.force_login(factories.requester(organization=factories.OrganizationFactory()))
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 404


@pytest.mark.django_db
def test_api_url_points_at_the_checked_view(agent_api):
    agent = factories.agent()
    ticket = factories.incident(actor=agent)
    attachment = _attach(ticket, agent, "a.txt", b"x", "text/plain")
    response = agent_api.get(f"/api/v1/incidents/{ticket.pk}/attachments/")
    urls = [row["url"] for row in (response.json().get("results") or response.json())]
    assert any(url.endswith(reverse("attachment_download", args=[attachment.pk])) for url in urls)
    assert not any("/media/" in url for url in urls)


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_media_path_is_not_served(settings, debug):
    agent = factories.agent()
    attachment = _attach(factories.incident(actor=agent), agent, "a.txt", b"secret", "text/plain")
    import itsm.urls

    with override_settings(DEBUG=debug):
        importlib.reload(itsm.urls)
        clear_url_caches()
        try:
            client = Client()
            client.force_login(agent)
            assert client.get(f"/media/{attachment.file.name}").status_code == 404
        finally:
            importlib.reload(itsm.urls)
            clear_url_caches()
