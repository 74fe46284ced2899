"""Login lockout (django-axes): per (username, client address) pair, on the site and the admin login."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.support import factories

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Secret-123"


def post(url, username, password=PASSWORD, ip="10.0.0.1", **extra):
    client = Client()
    response = client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)
    return client, response


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_lockout_is_per_username_and_address(url, settings):
    settings.AXES_FAILURE_LIMIT = 3
    a = factories.admin(username="alice")
    b = factories.admin(username="bob")
    for _attempt in range(5):
        post(url, a.username, "wrong", ip="10.6.6.6")
    client, response = post(url, a.username, ip="10.6.6.6")
    assert not logged_in(client), "the attacked pair is locked, even with the right password"
    assert response.status_code == 429
    client, _response = post(url, b.username, ip="10.6.6.6")
    assert logged_in(client), "another user behind the same address logs in"
    client, _response = post(url, a.username, ip="10.7.7.7")
    assert logged_in(client), "the attacked user logs in from their own address"


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(settings):
    settings.AXES_FAILURE_LIMIT = 2
    factories.agent(username="carol")
    for n in range(3):  # the attacker rotates a forged header
        post("/login/", "carol", "wrong", ip="10.6.6.6", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}")
    client, _response = post("/login/", "carol", ip="10.6.6.6", HTTP_X_FORWARDED_FOR="9.9.9.9")
    assert not logged_in(client)


def test_forwarded_for_with_one_trusted_proxy(settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXY_COUNT = 1
    factories.agent(username="dave")
    for _attempt in range(3):  # everyone arrives from the proxy 10.0.0.2
        post("/login/", "dave", "wrong", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="forged, 203.0.113.5")
    client, _response = post("/login/", "dave", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert not logged_in(client)
    client, _response = post("/login/", "dave", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert logged_in(client)


def test_wrong_password_is_a_form_error(agent_user):
    _client, response = post("/login/", "agent1", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_success_resets_the_failures(settings, agent_user):
    settings.AXES_FAILURE_LIMIT = 3
    for _round in range(3):
        post("/login/", "agent1", "wrong")
        post("/login/", "agent1", "wrong")
        client, _response = post("/login/", "agent1")
        assert logged_in(client)


def test_api_token_authentication_is_not_locked(settings, agent_user, api_as):
    settings.AXES_FAILURE_LIMIT = 1
    for _attempt in range(3):
        post("/login/", "agent1", "wrong", ip="127.0.0.1")
    assert api_as(agent_user).get("/api/v1/incidents/", REMOTE_ADDR="127.0.0.1").status_code == 200


@pytest.mark.parametrize("forwarded", ["not-an-address", "10.9.9.9:51234", "unknown"])
def test_a_proxy_forwarding_something_else_than_an_address_is_not_a_500(settings, forwarded):
    """A trusted proxy that appends a port or 'unknown': the lockout counts the peer address instead (an
    unparsable value would break the attempt log, an inet column on PostgreSQL)."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 2
    factories.admin(username="carol")
    _client, response = post("/login/", "carol", "wrong", ip="10.8.8.8", HTTP_X_FORWARDED_FOR=forwarded)
    assert response.status_code == 200
    post("/login/", "carol", "wrong", ip="10.8.8.8", HTTP_X_FORWARDED_FOR=forwarded)
    _client, response = post("/login/", "carol", ip="10.8.8.8", HTTP_X_FORWARDED_FOR=forwarded)
    assert response.status_code == 429
