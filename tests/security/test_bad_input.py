"""Bad input is a 400 naming what is wrong, never a 500 (SQLite and PostgreSQL)."""

import json

import pytest
from django.db import connection

from tests.support import factories
from tests.support.events_factories import am_alert, generic, integration_user

pytestmark = pytest.mark.django_db
DEEP = "[" * 100_000 + "]" * 100_000


def raw_post(api, url, body):
    return api.post(url, data=body, content_type="application/json")


@pytest.mark.parametrize("url", ["/api/v1/events/", "/api/v1/events/alertmanager/", "/api/v1/incidents/",
                                 "/api/v1/cis/"])
def test_deeply_nested_json_is_a_400(api_as, url):
    user = factories.admin()
    user.groups.add(*integration_user(username="bot-x").groups.all())
    response = raw_post(api_as(user), url, DEEP)
    assert response.status_code == 400, response.content[:200]
    response = raw_post(api_as(user), url, '{"deep": ' + "[" * 70 + "]" * 70 + "}")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


@pytest.mark.parametrize("bad", ["a\u0000b", "lone \ud800 surrogate"])
def test_nul_and_lone_surrogates_in_events_are_a_400_naming_the_field(api_as, bad):
    api = api_as(integration_user())
    body = json.dumps(generic(message=bad))  # ensure_ascii: \\u0000 and \\ud800 escapes, as a sender sends them
    response = raw_post(api, "/api/v1/events/", body)
    assert response.status_code == 400, response.content[:300]
    assert "message" in response.json()
    response = raw_post(api, "/api/v1/events/", json.dumps(generic(labels={"env": bad})))
    assert response.status_code == 400 and "labels" in response.json()
    alert = am_alert()
    alert["labels"]["instance"] = bad
    response = raw_post(api, "/api/v1/events/alertmanager/", json.dumps({"version": "4", "status": "firing",
                                                                         "alerts": [alert]}))
    assert response.status_code == 400 and "alerts" in response.json()


@pytest.mark.parametrize("url", ["/api/v1/users/", "/api/v1/incidents/", "/api/v1/cis/"])
def test_nul_in_search_query_is_a_400(agent_api, url):
    response = agent_api.get(url + "?q=%00")
    assert response.status_code == 400
    assert "q" in response.json()


@pytest.mark.parametrize("url", ["/incidents/", "/cmdb/cis/"])
def test_nul_in_html_list_query_is_not_a_500(client, agent_user, url):
    client.force_login(agent_user)
    assert client.get(url + "?q=%00").status_code in (200, 400)


@pytest.mark.parametrize("period", ["9999-12", "9999Q4", "0000-01"])
def test_far_report_periods_are_a_400(agent_api, client, agent_user, period):
    response = agent_api.get("/api/v1/reports/compliance/", {"period": period})
    assert response.status_code == 400 and "period" in response.json()
    client.force_login(agent_user)
    assert client.get("/slm/reports/compliance/", {"period": period}).status_code == 400
    response = agent_api.get("/api/v1/reports/compliance/", {"start": "9999-12-01", "end": "9999-12-31"})
    assert response.status_code == 400


def test_postgresql_is_in_use_when_asked():
    """A marker for reports: these tests run on both back ends (see the README's test section)."""
    assert connection.vendor in ("sqlite", "postgresql")
