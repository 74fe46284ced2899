"""403, 404 and 500 pages in the app's layout (DEBUG off), and the favicon."""

from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.template import loader
from django.test import Client, override_settings
from django.urls import reverse

from tests.support import factories
from tests.support.queries import count_queries

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.error_urls")]


@pytest.fixture
def quiet_client():
    return Client(raise_request_exception=False)


@override_settings(DEBUG=False)
def test_404_page_in_the_layout_with_a_way_back(client, agent_user):
    client.force_login(agent_user)
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and 'class="topbar"' in html
    assert f'href="{reverse("home")}"' in html and "data-history-back" in html
    assert "/no/such/page/" in html


@override_settings(DEBUG=False)
def test_invisible_ticket_is_a_404_page(client, requester_user):
    other = factories.incident(requester=factories.requester(username="req2"))
    client.force_login(requester_user)
    response = client.get(reverse("incidents:detail", args=[other.pk]))
    assert response.status_code == 404 and "Page not found" in response.content.decode()


@override_settings(DEBUG=False)
def test_403_page_from_permission_denied_on_a_ticket_page(client, requester_user):
    own = factories.incident(requester=requester_user)
    client.force_login(requester_user)
    response = client.get(reverse("incidents:edit", args=[own.pk]))
    html = response.content.decode()
    assert response.status_code == 403
    assert "You are not allowed to do this" in html and 'class="topbar"' in html
    assert f'href="{reverse("home")}"' in html
    assert client.get("/test-errors/forbidden/").status_code == 403


@override_settings(DEBUG=False)
def test_500_page_from_a_failing_view(quiet_client, agent_user):
    quiet_client.force_login(agent_user)
    response = quiet_client.get("/test-errors/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and "an unexpected failure" not in html
    assert f'href="{reverse("home")}"' in html and "pico.min.css" in html


@override_settings(DEBUG=False)
def test_500_page_renders_while_the_database_is_down(quiet_client):
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection",
                           side_effect=OperationalError("could not connect to server")):
        response = quiet_client.get("/test-errors/database-down/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_500_template_needs_no_context_and_no_query():
    html = []
    assert count_queries(lambda: html.append(loader.get_template("500.html").render())) == 0
    assert "Something went wrong on our side" in html[0] and 'href="/"' in html[0]


def test_favicon_files_and_route(client):
    svg, ico, png = (finders.find(name) for name in ("favicon.svg", "favicon.ico", "favicon.png"))
    assert svg and ico and png
    assert Path(svg).read_text().lstrip().startswith("<svg")
    assert Path(ico).read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == f"{settings.STATIC_URL}favicon.ico"
    login = client.get(reverse("login")).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in login and "favicon.png" in login
