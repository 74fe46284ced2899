"""API tokens cannot outlive the token that mints them; idempotency keys are per account and per body."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import ApiToken
from events.models import Event
from tests.support import events_factories as ef
from tests.support import factories

pytestmark = pytest.mark.django_db
TOKENS = "/api/v1/tokens/"
EVENTS = "/api/v1/events/"


def token_client(user, expires_at=None):
    _token, key = ApiToken.generate(user, "parent", expires_at=expires_at)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_expiring_token_cannot_mint_a_longer_lived_one():
    user = factories.agent()
    parent_expiry = timezone.now() + timedelta(days=2)
    api = token_client(user, parent_expiry)
    later = (parent_expiry + timedelta(days=30)).isoformat()
    response = api.post(TOKENS, {"name": "forever", "expires_at": later}, format="json")
    assert response.status_code == 400 and "expires_at" in response.json()
    response = api.post(TOKENS, {"name": "forever"}, format="json")  # no expiry: capped at the parent's
    assert response.status_code == 201
    assert ApiToken.objects.get(pk=response.json()["id"]).expires_at == parent_expiry
    sooner = (parent_expiry - timedelta(days=1)).isoformat()
    assert api.post(TOKENS, {"name": "short", "expires_at": sooner}, format="json").status_code == 201


def test_expiry_in_the_past_is_a_400():
    api = token_client(factories.agent())
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    response = api.post(TOKENS, {"name": "stale", "expires_at": past}, format="json")
    assert response.status_code == 400 and "expires_at" in response.json()


def test_session_user_may_still_create_a_non_expiring_token(client):
    user = factories.agent()
    client.force_login(user)
    response = client.post(TOKENS, {"name": "cli"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["expires_at"] is None


def _poster(username):
    api = APIClient()
    _token, key = ApiToken.generate(ef.integration_user(username=username), "t")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return lambda body, **headers: api.post(EVENTS, body, format="json", **headers)


def test_idempotency_keys_are_scoped_to_the_account(django_capture_on_commit_callbacks):
    alice, mallory = _poster("bot-a"), _poster("bot-m")
    with django_capture_on_commit_callbacks(execute=True):
        first = alice(ef.generic(), HTTP_IDEMPOTENCY_KEY="k-1")
        other = mallory(ef.generic(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == other.status_code == 202
    assert other.json()["accepted"] == 1 and other.json()["ids"] != first.json()["ids"]
    assert Event.objects.count() == 2


def test_reused_key_with_another_body_is_a_409(django_capture_on_commit_callbacks):
    post = _poster("bot-a")
    with django_capture_on_commit_callbacks(execute=True):
        first = post(ef.generic(), HTTP_IDEMPOTENCY_KEY="k-2")
        same = post(ef.generic(), HTTP_IDEMPOTENCY_KEY="k-2")
        different = post(ef.generic(message="something else"), HTTP_IDEMPOTENCY_KEY="k-2")
    assert same.status_code == 202 and same.json()["ids"] == first.json()["ids"]
    assert different.status_code == 409
    assert Event.objects.count() == 1
