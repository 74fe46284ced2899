"""In-app notifications (page, badge, API), notification preferences and watching, over HTTP."""

import pytest
from django.test import Client
from django.urls import reverse

from core import notification_services
from core import services as core_services
from core.models import Notification, NotificationEvent as Event, NotificationPreference, TicketWatcher
from tests.conftest import client_for
from tests.support import factories
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    agent = factories.agent(username="ann")
    requester = factories.requester(username="ruth", organization=factories.OrganizationFactory(name="Acme"))
    stranger = factories.requester(username="sam", organization=factories.OrganizationFactory(name="Else"))
    incident = factories.incident(actor=requester, title="Mail is slow", requester=requester)
    return {"agent": agent, "requester": requester, "stranger": stranger, "incident": incident}


def notify(user, incident, n=1, kind=Event.PUBLIC_REPLY):
    Notification.objects.bulk_create([Notification(recipient=user, ticket=incident, kind=kind, text=f"note {i}")
                                      for i in range(n)])


def browser(user):
    client = Client()
    client.force_login(user)
    return client


# --- HTML -------------------------------------------------------------------------------------------

def test_list_page_shows_own_notifications_with_ticket_links(setup):
    notify(setup["requester"], setup["incident"], 2)
    notify(setup["stranger"], None, 1)
    response = browser(setup["requester"]).get(reverse("notification_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("note ") == 2
    assert f"/incidents/{setup['incident'].pk}/" in html
    assert 'id="unread-count">2<' in html


def test_list_page_query_count_does_not_grow_with_rows(setup):
    client = browser(setup["requester"])
    notify(setup["requester"], setup["incident"], 2)
    few = count_queries(lambda: client.get(reverse("notification_list")))
    notify(setup["requester"], setup["incident"], 40)
    assert count_queries(lambda: client.get(reverse("notification_list"))) == few


def test_list_page_pages_by_keyset(setup):
    notify(setup["requester"], setup["incident"], 55)
    client = browser(setup["requester"])
    first = client.get(reverse("notification_list")).content.decode()
    assert 'rel="next"' in first and first.count("note ") == 50


def test_mark_read_and_mark_all_read(setup):
    notify(setup["requester"], setup["incident"], 3)
    client = browser(setup["requester"])
    one = Notification.objects.filter(recipient=setup["requester"]).first()
    assert client.post(reverse("notification_read", args=[one.pk])).status_code == 302
    one.refresh_from_db()
    assert one.read_at is not None
    html = client.get(reverse("notification_list") + "?unread=true").content.decode()
    assert html.count("note ") == 2 and 'id="unread-count">2<' in html
    client.post(reverse("notification_read_all"))
    assert not Notification.objects.filter(recipient=setup["requester"], read_at__isnull=True).exists()
    assert 'id="unread-count"' not in client.get(reverse("home")).content.decode()


def test_cannot_mark_someone_elses_notification(setup):
    notify(setup["stranger"], None, 1)
    theirs = Notification.objects.get(recipient=setup["stranger"])
    browser(setup["requester"]).post(reverse("notification_read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_badge_is_bounded(setup):
    notify(setup["requester"], setup["incident"], 101)
    html = browser(setup["requester"]).get(reverse("home")).content.decode()
    assert 'id="unread-count">99+<' in html


def test_ticket_page_has_a_watch_button_that_toggles(setup):
    client = browser(setup["agent"])
    url = reverse("incidents:detail", args=[setup["incident"].pk])
    assert "Watch" in client.get(url).content.decode()
    response = client.post(reverse("ticket_watch", args=[setup["incident"].pk]), {"watch": "1", "next": url})
    assert response.status_code == 302 and response.url == url
    assert TicketWatcher.objects.filter(user=setup["agent"]).exists()
    assert "Stop watching" in client.get(url).content.decode()
    htmx = client.post(reverse("ticket_watch", args=[setup["incident"].pk]), {"watch": "0"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and "Watch" in htmx.content.decode() and "Stop" not in htmx.content.decode()
    assert not TicketWatcher.objects.exists()


def test_requester_cannot_watch_an_invisible_ticket_page(setup):
    response = browser(setup["stranger"]).post(reverse("ticket_watch", args=[setup["incident"].pk]))
    assert response.status_code == 404 and not TicketWatcher.objects.exists()


def test_profile_page_edits_notification_preferences(setup):
    client = browser(setup["requester"])
    html = client.get(reverse("profile")).content.decode()
    assert 'name="public_reply__email"' in html and "checked" in html
    data = {f"{event}__{channel}": "on" for event in Event.values for channel in ("in_app", "email")}
    del data["public_reply__email"]
    assert client.post(reverse("notification_preferences"), data).status_code == 302
    pref = NotificationPreference.objects.get(user=setup["requester"], event=Event.PUBLIC_REPLY)
    assert pref.in_app is True and pref.email is False


# --- API ------------------------------------------------------------------------------------------

def test_api_lists_own_notifications_unread_filter_and_cursor(setup):
    notify(setup["requester"], setup["incident"], 3)
    notify(setup["stranger"], None, 2)
    api = client_for(setup["requester"])
    oldest = Notification.objects.filter(recipient=setup["requester"]).order_by("id").first()
    notification_services.mark_read(setup["requester"], [oldest.pk])
    body = api.get("/api/v1/notifications/").json()
    assert len(body["results"]) == 3
    assert body["results"][0]["ticket_number"] == setup["incident"].number
    assert body["results"][0]["ticket_url"] == f"/incidents/{setup['incident'].pk}/"
    assert len(api.get("/api/v1/notifications/?unread=true").json()["results"]) == 2
    page = api.get("/api/v1/notifications/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    assert len(api.get(page["next"]).json()["results"]) == 1
    assert api.get("/api/v1/notifications/?cursor=garbage").status_code == 400


def test_api_list_query_count_is_constant(setup):
    api = client_for(setup["requester"])
    notify(setup["requester"], setup["incident"], 2)
    api.get("/api/v1/notifications/")  # the token's first use is recorded once
    few = count_queries(lambda: api.get("/api/v1/notifications/"))
    notify(setup["requester"], setup["incident"], 30)
    assert count_queries(lambda: api.get("/api/v1/notifications/")) == few


def test_api_mark_read_and_read_all(setup):
    notify(setup["requester"], setup["incident"], 2)
    notify(setup["stranger"], None, 1)
    api = client_for(setup["requester"])
    mine = Notification.objects.filter(recipient=setup["requester"]).first()
    theirs = Notification.objects.get(recipient=setup["stranger"])
    response = api.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert api.post(f"/api/v1/notifications/{10 ** 20}/read/").status_code == 404
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_api_preferences_get_and_put(setup):
    api = client_for(setup["agent"])
    body = api.get("/api/v1/me/notification-preferences/").json()
    assert body[Event.ASSIGNED] == {"in_app": True, "email": True}
    response = api.put("/api/v1/me/notification-preferences/", {Event.ASSIGNED: {"email": False}}, format="json")
    assert response.status_code == 200 and response.json()[Event.ASSIGNED] == {"in_app": True, "email": False}
    bad = api.put("/api/v1/me/notification-preferences/", {"bogus": {"email": False}}, format="json")
    assert bad.status_code == 400 and "bogus" in bad.json()
    wrong_type = api.put("/api/v1/me/notification-preferences/", {Event.ASSIGNED: {"email": "maybe"}},
                         format="json")
    assert wrong_type.status_code == 400


def test_api_watch_and_stop_watching(setup):
    api = client_for(setup["agent"])
    url = f"/api/v1/incidents/{setup['incident'].pk}/watch/"
    assert api.get(url).json() == {"watching": False}
    assert api.post(url).json() == {"watching": True}
    assert api.post(url).json() == {"watching": True}
    core_services.add_comment(setup["incident"], setup["requester"], "Any news?")
    assert Notification.objects.filter(recipient=setup["agent"], kind=Event.WATCHED_UPDATED).exists()
    assert api.delete(url).json() == {"watching": False}


def test_api_requester_cannot_watch_an_invisible_ticket(setup):
    url = f"/api/v1/incidents/{setup['incident'].pk}/watch/"
    assert client_for(setup["stranger"]).post(url).status_code == 404
    assert client_for(setup["requester"]).post(url).json() == {"watching": True}
