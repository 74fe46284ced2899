import pytest
from django.test import Client

from core.models import AuditAction, AuditEntry
from incidents.models import Incident
from knowledge.models import Article, ArticleLink, ArticleShown, Audience
from tests.support import factories
from tests.support.pages import ticket_page
from tests.support.queries import max_queries

from .support import article

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def kb():
    author = factories.agent(username="kb-author")
    return {"public": article(author, title="Printer offline", body="Add the printer again."),
            "internal": article(author, title="Printer offline escalation", body="Page the vendor.",
                                audience=Audience.AGENTS),
            "draft": article(author, title="Printer offline draft", body="Not ready.", published=False),
            "chinese": article(author, title="打印机无法打印", body="重新添加打印机。"),
            "author": author}


def secrets(kb):
    return [kb["internal"].title, kb["draft"].title, kb["internal"].number, kb["draft"].number]


def assert_none_of(text, words, where):
    for word in words:
        assert word not in text, f"{where} shows {word!r}"


def test_agent_pages_list_search_detail_and_versions(kb):
    client = logged_in(factories.agent())
    listed = client.get("/knowledge/").content.decode()
    assert all(kb[key].title in listed for key in ("public", "internal", "draft"))
    found = client.get("/knowledge/", {"q": "打印机"}).content.decode()
    assert kb["chinese"].title in found and kb["public"].title not in found
    page = client.get(f"/knowledge/{kb['public'].pk}/").content.decode()
    assert "<p>Add the printer again.</p>" in page and 'id="retire"' in page and 'id="versions"' in page
    assert client.get(f"/knowledge/{kb['public'].pk}/versions/1/").status_code == 200


def test_agent_creates_edits_and_meets_a_conflict(kb):
    agent = factories.agent()
    client = logged_in(agent)
    assert client.get("/knowledge/new/").status_code == 200
    response = client.post("/knowledge/new/", {"title": "VPN", "body": "Start it.", "audience": "requesters"})
    made = Article.objects.get(title="VPN")
    assert response.status_code == 302 and made.owner == agent and made.audience == Audience.REQUESTERS
    assert client.post("/knowledge/new/", {"title": "", "audience": "x"}).status_code == 400
    edit = f"/knowledge/{made.pk}/edit/"
    assert client.post(edit, {"title": "VPN", "body": "v2", "audience": "requesters", "version": 1}).status_code == 302
    stale = client.post(edit, {"title": "VPN", "body": "mine", "audience": "requesters", "version": 1})
    assert stale.status_code == 409 and 'id="conflict"' in stale.content.decode()
    assert "mine" in stale.content.decode()
    made.refresh_from_db()
    assert made.body == "v2" and made.version == 2
    assert client.post(f"/knowledge/{made.pk}/state/publish/").status_code == 302
    made.refresh_from_db()
    assert made.state == "published"


def test_requesters_never_see_agent_only_or_draft_articles(kb):
    client = logged_in(factories.requester())
    for url in ("/knowledge/", "/knowledge/?q=printer", "/knowledge/?q=escalation&state=draft",
                "/knowledge/?state=draft&audience=agents", "/knowledge/suggest/?title=printer+offline"):
        response = client.get(url, **({"HTTP_HX_REQUEST": "true"} if "suggest" in url else {}))
        assert response.status_code == 200, url
        text = response.content.decode()
        assert_none_of(text, secrets(kb), url)
        if "escalation" not in url and "state" not in url:
            assert kb["public"].title in text, url
    for key in ("internal", "draft"):
        assert client.get(f"/knowledge/{kb[key].pk}/").status_code == 404
    page = client.get(f"/knowledge/{kb['public'].pk}/").content.decode()
    assert 'id="versions"' not in page and 'id="retire"' not in page
    assert client.get(f"/knowledge/{kb['public'].pk}/versions/1/").status_code == 403
    assert client.get("/knowledge/new/").status_code == 403
    assert client.post(f"/knowledge/{kb['public'].pk}/state/retire/").status_code == 403


def test_list_page_query_count_is_bounded(kb):
    client = logged_in(factories.agent())
    for n in range(20):
        article(kb["author"], title=f"Note {n}")
    client.get("/knowledge/")
    with max_queries(12):
        assert client.get("/knowledge/").status_code == 200


# --- portal deflection ----------------------------------------------------------------------------

def test_portal_offers_matching_requester_articles_while_typing(kb):
    client = logged_in(factories.requester())
    portal = client.get("/").content.decode()
    assert 'id="kb-suggestions"' in portal and 'hx-get="/knowledge/suggest/"' in portal
    fragment = client.get("/knowledge/suggest/", {"title": "printer offline", "description": ""},
                          HTTP_HX_REQUEST="true").content.decode()
    assert kb["public"].title in fragment and f'name="shown_articles" value="{kb["public"].pk}"' in fragment
    assert_none_of(fragment, secrets(kb), "fragment")
    chinese = client.get("/knowledge/suggest/", {"title": "我的打印机", "shown_articles": kb["public"].pk},
                         HTTP_HX_REQUEST="true").content.decode()
    assert kb["chinese"].title in chinese
    assert f'value="{kb["public"].pk}"' in chinese and f'value="{kb["chinese"].pk}"' in chinese  # kept


def test_portal_suggestions_work_without_javascript(kb):
    client = logged_in(factories.requester())
    page = client.post("/knowledge/suggest/", {"title": "printer offline", "description": "floor 3"})
    text = page.content.decode()
    assert page.status_code == 200 and kb["public"].title in text and 'value="printer offline"' in text
    assert_none_of(text, secrets(kb), "portal page")


def test_submitting_the_report_records_the_articles_shown(kb):
    me = factories.requester()
    client = logged_in(me)
    response = client.post("/incidents/report/", {
        "title": "Printer offline", "description": "", "shown_articles": [
            kb["public"].pk, kb["chinese"].pk, kb["internal"].pk, kb["draft"].pk, "²", "x"]})
    incident = Incident.objects.get(title="Printer offline", requester=me)
    assert response.status_code == 302
    assert set(ArticleShown.objects.filter(ticket_id=incident.pk).values_list("article_id", flat=True)) == {
        kb["public"].pk, kb["chinese"].pk}


# --- "this helped" on the ticket page --------------------------------------------------------------

def test_agent_sees_suggestions_and_links_one_that_helped(kb):
    agent = factories.agent()
    incident = factories.incident(actor=agent, title="Printer offline on floor 3")
    client = logged_in(agent)
    page = ticket_page(client, f"/incidents/{incident.pk}/")
    assert 'id="knowledge-panel"' in page and kb["internal"].title in page and kb["draft"].title not in page
    response = client.post(f"/knowledge/{kb['internal'].pk}/helped/{incident.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.pk}/"
    assert ArticleLink.objects.filter(ticket_id=incident.pk, article=kb["internal"], created_by=agent).exists()
    entry = AuditEntry.objects.get(ticket_id=incident.pk, action=AuditAction.LINKED)
    assert entry.changes == {"article": [None, kb["internal"].number]} and entry.actor == agent
    page = ticket_page(client, f"/incidents/{incident.pk}/")
    assert 'id="kb-linked"' in page


def test_requester_marks_an_article_on_their_own_ticket_and_sees_only_requester_links(kb):
    agent, me = factories.agent(), factories.requester()
    mine = factories.incident(actor=agent, requester=me, title="Printer offline")
    theirs = factories.incident(actor=agent, requester=factories.requester(), title="Printer offline too")
    from knowledge import services

    services.link_to_ticket(mine, kb["internal"], agent)
    client = logged_in(me)
    page = ticket_page(client, f"/incidents/{mine.pk}/")
    assert kb["public"].title in page
    assert kb["internal"].title not in page and kb["draft"].title not in page
    assert kb["internal"].number not in page  # not even in the timeline's audit entry
    assert client.post(f"/knowledge/{kb['public'].pk}/helped/{mine.pk}/").status_code == 302
    assert client.post(f"/knowledge/{kb['internal'].pk}/helped/{mine.pk}/").status_code == 404
    assert client.post(f"/knowledge/{kb['public'].pk}/helped/{theirs.pk}/").status_code == 404
    assert client.get(f"/knowledge/{kb['public'].pk}/helped/{mine.pk}/").status_code == 405
    assert ArticleLink.objects.filter(ticket_id=mine.pk, article=kb["public"], created_by=me).exists()
