import pytest

from tests.support.events_factories import integration_user


@pytest.fixture
def bot(db):
    return integration_user()


@pytest.fixture
def post_events(api_as, bot, django_capture_on_commit_callbacks):
    """post_events(url, body, **headers) as the integration account, running on-commit work (the queueing)."""
    client = api_as(bot)

    def post(url, body, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, body, format="json", **headers)

    return post
