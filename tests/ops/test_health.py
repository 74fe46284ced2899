import socket

import pytest

from itsm.celery import app as celery_app


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_readyz_ok_when_database_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.fixture
def broker_down(settings):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    saved = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options)
    settings.CELERY_BROKER_URL = url
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = {}
    yield url
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved


@pytest.mark.django_db
def test_readyz_503_names_the_broker_when_it_is_down(client, broker_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("down")
