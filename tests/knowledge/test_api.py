import pytest

from knowledge.models import Article, ArticleState, Audience
from tests.support import factories
from tests.support.events_factories import integration_user
from tests.support.queries import max_queries

from .support import article

pytestmark = pytest.mark.django_db
URL = "/api/v1/articles/"


@pytest.fixture
def kb():
    author = factories.agent(username="kb-author")
    return {"public": article(author, title="Printer offline"),
            "internal": article(author, title="Printer escalation", audience=Audience.AGENTS),
            "draft": article(author, title="Printer draft", published=False), "author": author}


def _users():
    return {"requester": factories.requester(), "agent": factories.agent(), "manager": factories.manager(),
            "admin": factories.admin(), "integration": integration_user(username="kb-bot"), "anonymous": None}


@pytest.mark.parametrize("role, expected_read, expected_write", [
    ("requester", 200, 403), ("agent", 200, 201), ("manager", 200, 201), ("admin", 200, 201),
    ("integration", 403, 403), ("anonymous", 401, 401)])
def test_role_matrix(kb, api_as, role, expected_read, expected_write):
    api = api_as(_users()[role])
    assert api.get(URL).status_code == expected_read
    created = api.post(URL, {"title": "New", "body": "Text"}, format="json")
    assert created.status_code == expected_write
    if expected_write == 201:
        assert created.json()["number"].startswith("KB") and created.json()["state"] == "draft"
        assert created["ETag"] == '"1"'


def test_requesters_read_only_published_requester_articles(kb, api_as):
    api = api_as(factories.requester())
    listed = [row["id"] for row in api.get(URL).json()["results"]]
    assert listed == [kb["public"].pk]
    assert [row["id"] for row in api.get(URL, {"q": "printer"}).json()["results"]] == [kb["public"].pk]
    assert api.get(f"{URL}{kb['internal'].pk}/").status_code == 404
    assert api.get(f"{URL}{kb['draft'].pk}/").status_code == 404
    detail = api.get(f"{URL}{kb['public'].pk}/").json()
    assert "owner" not in detail and "known_error" not in detail and "<p>" in detail["body_html"]
    assert api.get(f"{URL}{kb['public'].pk}/versions/").status_code == 403
    assert api.post(f"{URL}{kb['public'].pk}/retire/").status_code == 403
    assert api.patch(f"{URL}{kb['public'].pk}/", {"title": "x"}, format="json").status_code == 403


def test_agents_list_every_state_and_search_with_q(kb, api_as):
    api = api_as(factories.agent())
    assert {row["id"] for row in api.get(URL).json()["results"]} == {
        kb["public"].pk, kb["internal"].pk, kb["draft"].pk}
    found = api.get(URL, {"q": "escalation"}).json()["results"]
    assert [row["id"] for row in found] == [kb["internal"].pk] and found[0]["score"] > 0
    assert [row["id"] for row in api.get(URL, {"state": "draft"}).json()["results"]] == [kb["draft"].pk]
    assert api.get(URL, {"q": "x" * 201}).status_code == 400
    assert api.get(URL, {"q": "a\x00b"}).status_code == 400
    assert api.get(URL, {"service": "²"}).status_code == 400


def test_update_with_versions_if_match_publish_and_retire(kb, api_as):
    api = api_as(factories.agent())
    url = f"{URL}{kb['draft'].pk}/"
    changed = api.patch(url, {"body": "Second text", "version": 1, "change_note": "more"}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 2 and changed["ETag"] == '"2"'
    stale = api.patch(url, {"body": "Mine", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert api.patch(url, {"body": "Mine"}, format="json", HTTP_IF_MATCH='"1"').status_code == 412
    assert api.patch(url, {"body": "Mine"}, format="json", HTTP_IF_MATCH='"2"').status_code == 200
    versions = api.get(f"{url}versions/").json()["results"]
    assert [row["version"] for row in versions] == [1, 2, 3] and versions[1]["change_note"] == "more"
    assert api.post(f"{url}publish/").json()["state"] == ArticleState.PUBLISHED
    assert api.post(f"{url}publish/").status_code == 400
    assert api.post(f"{url}retire/", HTTP_IF_MATCH='"1"').status_code == 412
    assert api.post(f"{url}retire/").json()["state"] == ArticleState.RETIRED


def test_bad_input_is_a_400(kb, api_as):
    api = api_as(factories.agent())
    assert api.post(URL, {"title": ""}, format="json").status_code == 400
    assert api.post(URL, {"title": "x", "audience": "everyone"}, format="json").status_code == 400
    assert api.post(URL, {"title": "x", "services": [2**70]}, format="json").status_code == 400
    assert api.get(f"{URL}{2**70}/").status_code == 404


def test_list_query_count_is_constant(kb, api_as):
    api = api_as(factories.agent())
    for n in range(30):
        article(kb["author"], title=f"Note {n}")
    api.get(URL)
    with max_queries(6):
        response = api.get(URL)
    assert len(response.json()["results"]) == 33
    with max_queries(6):
        assert api.get(URL, {"q": "note"}).status_code == 200
    assert Article.objects.count() == 33
