import os

import pytest
from rest_framework.test import APIClient

from core.models import ApiToken
from tests.support import databases, factories, isolation
from tests.support.browser import browser, page  # noqa: F401  (fixtures)
from tests.support.imap import clean_imap, imap_server  # noqa: F401  (fixtures)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TEMPLATE = pytest.StashKey()


def pytest_sessionstart(session):
    """A parallel run on PostgreSQL migrates one template database for its workers (tests/support/databases.py)."""
    session.config.stash[TEMPLATE] = databases.start_template(session.config)


def pytest_sessionfinish(session):
    template = session.config.stash.get(TEMPLATE, None)
    if template is not None:
        template.drop()


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings, django_db_blocker):
    """pytest-django's --reuse-db; in a parallel run on PostgreSQL, this worker's copy of the template database,
    used as it is (its migrations are applied) and dropped at the end."""
    with django_db_blocker.unblock():
        copy = databases.clone_for_worker(request.config)
    yield copy is not None or request.config.getvalue("reuse_db")
    if copy is not None:
        with django_db_blocker.unblock():
            databases.drop(copy)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    for name, value in isolation.settings_for(tmp_path).items():
        setattr(settings, name, value)
    isolation.eager_celery()


@pytest.fixture
def agent_user(db):
    return factories.agent(username="agent1")


@pytest.fixture
def requester_user(db):
    return factories.requester(username="req1")


@pytest.fixture
def manager_user(db):
    return factories.manager(username="mgr1")


@pytest.fixture
def admin_user(db):
    return factories.admin(username="admin1")


def client_for(user):
    client = APIClient()
    if user is not None:
        _, key = ApiToken.generate(user, "tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient authenticated with a fresh token of that user."""
    return client_for


@pytest.fixture
def agent_api(agent_user):
    return client_for(agent_user)


@pytest.fixture
def requester_api(requester_user):
    return client_for(requester_user)
