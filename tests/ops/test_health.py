import pytest

from itsm.celery import app as celery_app
from tests.support.ports import reserved_port


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
    names = ("broker_url", "broker_write_url", "broker_read_url", "broker_transport_options")
    saved = {name: celery_app.conf[name] for name in names}
    with reserved_port() as port:  # nothing listens there, and no other process can take it, for the whole test
        url = f"redis://127.0.0.1:{port}/0"
        settings.CELERY_BROKER_URL = url
        celery_app.conf.update(broker_url=url, broker_write_url=url, broker_read_url=url, broker_transport_options={})
        yield url
    celery_app.conf.update(saved)


@pytest.mark.django_db
def test_readyz_503_names_the_broker_when_it_is_down(client, broker_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("down")
