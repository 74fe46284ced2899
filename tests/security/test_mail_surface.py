"""Every page and API endpoint of the e-mail channel: only admins configure it and handle held mail, managers
read the log, agents and requesters are refused; a requester learns nothing of mail on tickets they may not see;
a mailbox password never leaves the server; hostile input is a 4xx, never a 500."""

from types import SimpleNamespace

import pytest
from django.test import Client

from mailchannel.models import InboundMessage, Mailbox, OrganizationDomain, Outcome
from tests.support import factories
from tests.support.mail_factories import PASSWORD, mailbox, message, peer

pytestmark = pytest.mark.django_db

SECRET = "Salary list of the board"


@pytest.fixture
def world(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("a refused request reached the mail server, the queue or the ingest")

    task = SimpleNamespace(delay=never)
    peer(monkeypatch, "imap", check_connection=never)
    peer(monkeypatch, "tasks", poll_mailboxes=task)
    peer(monkeypatch, "ingest", retry=never, discard=never)
    acme = factories.OrganizationFactory(name="Acme")
    victim = factories.requester(organization=acme)
    agent = factories.agent()
    incident = factories.incident(actor=agent, requester=victim, title="Laptop")
    box = mailbox(name="Desk")
    return SimpleNamespace(
        admin=factories.admin(), manager=factories.manager(), agent=agent, victim=victim, incident=incident,
        colleague=factories.requester(organization=acme),
        stranger=factories.requester(organization=factories.OrganizationFactory(name="Initech")),
        box=box, settings_box=mailbox(name="Env", from_settings=True),
        domain=OrganizationDomain.objects.create(domain="acme.example.com", organization=acme),
        sent=message(mailbox=box, ticket=incident, subject=SECRET, html=f"<p>{SECRET}</p>"),
        held=message(Outcome.FAILED, mailbox=box, ticket=incident, subject=f"Held: {SECRET}"))


def admin_pages(w):
    m, s, h = w.box.pk, w.settings_box.pk, w.held.pk
    return ["/mail/mailboxes/", "/mail/mailboxes/new/", f"/mail/mailboxes/{m}/", f"/mail/mailboxes/{s}/",
            f"/mail/mailboxes/{m}/delete/", "/mail/domains/", "/mail/held/", f"/mail/messages/{h}/download/"]


def admin_posts(w):
    m, d, h = w.box.pk, w.domain.pk, w.held.pk
    return [("/mail/mailboxes/new/", {"name": "x"}), (f"/mail/mailboxes/{m}/", {"name": "x"}),
            (f"/mail/mailboxes/{m}/delete/", {}), (f"/mail/mailboxes/{m}/test/", {}), ("/mail/mailboxes/read-now/", {}),
            ("/mail/domains/", {"domain": "evil.example.com", "organization": w.domain.organization_id}),
            (f"/mail/domains/{d}/delete/", {}), (f"/mail/messages/{h}/retry/", {}),
            (f"/mail/messages/{h}/discard/", {})]


def api_reads(w):
    return ["/api/v1/mailboxes/", f"/api/v1/mailboxes/{w.box.pk}/", "/api/v1/mail-domains/",
            f"/api/v1/mail-domains/{w.domain.pk}/"]


def log_reads(w):
    return ["/api/v1/inbound-messages/", f"/api/v1/inbound-messages/{w.held.pk}/", "/api/v1/inbound-messages/?held=1"]


def api_writes(w):
    m, d, h = w.box.pk, w.domain.pk, w.held.pk
    return [("post", "/api/v1/mailboxes/", {"name": "x"}), ("patch", f"/api/v1/mailboxes/{m}/", {"host": "evil"}),
            ("delete", f"/api/v1/mailboxes/{m}/", None), ("post", "/api/v1/mail-domains/", {"domain": "evil.com"}),
            ("patch", f"/api/v1/mail-domains/{d}/", {"domain": "evil.com"}),
            ("delete", f"/api/v1/mail-domains/{d}/", None), ("post", f"/api/v1/inbound-messages/{h}/retry/", None),
            ("post", f"/api/v1/inbound-messages/{h}/discard/", None)]


def snapshot():
    return (sorted(Mailbox.objects.values_list("pk", "name", "host", "password", "active")),
            sorted(OrganizationDomain.objects.values_list("pk", "domain", "organization_id")),
            sorted(InboundMessage.objects.values_list("pk", "outcome", "mailbox_id", "handled_by_id")))


@pytest.mark.parametrize("who", ["manager", "agent", "victim", "stranger"])
def test_only_admins_configure_and_handle_held_mail(world, api_as, who):
    user = getattr(world, who)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    api = api_as(user)
    before = snapshot()
    for url in admin_pages(world):
        assert client.get(url).status_code == 403, url
    for url, data in admin_posts(world):
        assert client.post(url, data).status_code == 403, url
    for url in api_reads(world):
        assert api.get(url).status_code == 403, url
    for method, url, data in api_writes(world):
        assert getattr(api, method)(url, data, format="json").status_code == 403, url
    reads_log = who == "manager"
    assert client.get("/mail/messages/").status_code == (200 if reads_log else 403)
    for url in log_reads(world):
        assert api.get(url).status_code == (200 if reads_log else 403), url
    assert snapshot() == before


def test_signed_out_visitors_are_sent_to_sign_in(world):
    client = Client(raise_request_exception=False)
    api = Client(raise_request_exception=False)
    before = snapshot()
    for url in [*admin_pages(world), "/mail/messages/", f"/mail/messages/{world.sent.pk}/as-sent/"]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), url
    for url, data in admin_posts(world):
        assert client.post(url, data).status_code == 302, url
    for url in [*api_reads(world), *log_reads(world)]:
        assert api.get(url).status_code in (401, 403), url
    for method, url, data in api_writes(world):
        assert getattr(api, method)(url, data, content_type="application/json").status_code in (401, 403), url
    assert snapshot() == before


def test_admin_reaches_every_page_and_endpoint(world, api_as):
    client = Client()
    client.force_login(world.admin)
    for url in [*admin_pages(world), "/mail/messages/", f"/mail/messages/{world.sent.pk}/as-sent/"]:
        assert client.get(url).status_code == 200, url
    api = api_as(world.admin)
    for url in [*api_reads(world), *log_reads(world)]:
        assert api.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["stranger", "colleague"])
def test_a_requester_who_may_not_see_the_ticket_learns_nothing_of_its_mail(world, who):
    client = Client()
    client.force_login(getattr(world, who))
    for url in (f"/incidents/{world.incident.pk}/", f"/mail/messages/{world.sent.pk}/as-sent/",
                f"/mail/messages/{world.held.pk}/as-sent/", "/mail/messages/99999/as-sent/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET not in response.content.decode()


def test_the_requester_sees_their_own_mail_but_never_held_copies_or_the_log(world):
    client = Client()
    client.force_login(world.victim)
    page = client.get(f"/incidents/{world.incident.pk}/").content.decode()
    panel = page.split('id="mail-panel"')[1].split("</section>")[0]
    assert SECRET in panel and f"Held: {SECRET}" not in panel and "All inbound mail" not in panel
    assert client.get(f"/mail/messages/{world.sent.pk}/as-sent/").status_code == 200
    assert client.get(f"/mail/messages/{world.held.pk}/as-sent/").status_code == 404


def test_the_agent_sees_the_panel_without_the_log_link(world):
    client = Client()
    client.force_login(world.agent)
    panel = client.get(f"/incidents/{world.incident.pk}/").content.decode().split('id="mail-panel"')[1]
    assert SECRET in panel and "All inbound mail" not in panel.split("</section>")[0]


def test_a_mailbox_password_never_leaves_the_server(world, api_as):
    client = Client()
    client.force_login(world.admin)
    pages = [*admin_pages(world), "/mail/messages/", f"/incidents/{world.incident.pk}/"]
    for url in pages:
        assert PASSWORD not in client.get(url).content.decode(), url
    refused = client.post(f"/mail/mailboxes/{world.box.pk}/", {"name": "Desk", "password": "Typed-New-Secret",
                                                                "port": "0"})
    assert refused.status_code == 400 and "Typed-New-Secret" not in refused.content.decode()
    api = api_as(world.admin)
    for url in [*api_reads(world), *log_reads(world)]:
        assert PASSWORD not in api.get(url).content.decode(), url
    created = api.post("/api/v1/mailboxes/", {"name": "New", "address": "n@example.com", "host": "imap.example.com",
                                              "username": "n", "password": "Created-Secret"}, format="json")
    assert created.status_code == 201 and "Created-Secret" not in created.content.decode()
    patched = api.patch(f"/api/v1/mailboxes/{world.box.pk}/", {"password": "Patched-Secret"}, format="json")
    assert patched.status_code == 200 and "Patched-Secret" not in patched.content.decode()
    bad = api.patch(f"/api/v1/mailboxes/{world.box.pk}/", {"password": "Bad-Secret", "port": 0}, format="json")
    assert bad.status_code == 400 and "Bad-Secret" not in bad.content.decode()


HOSTILE = ["x" * 100_000, "\x00", "\u0661\u0664\u0663", "\u00b2", "-1", str(2**64), "<script>alert(1)</script>",
           "a\r\nb", "", "💥" * 300]
MAILBOX_FIELDS = ("name", "address", "protocol", "host", "port", "username", "password", "folder", "processed_folder",
                  "kind", "catalog_item", "team", "service", "organization", "senders_per_hour", "active")


def test_hostile_input_is_never_a_500(world, api_as):
    client = Client(raise_request_exception=False)
    client.force_login(world.admin)
    api = api_as(world.admin)
    api.raise_request_exception = False
    base = {"name": "Hostile", "address": "h@example.com", "host": "imap.example.com", "username": "h",
            "folder": "INBOX", "kind": "incident", "protocol": "imaps", "senders_per_hour": "5"}
    for value in HOSTILE:
        for field in MAILBOX_FIELDS:
            data = {**base, field: value}
            assert client.post("/mail/mailboxes/new/", data).status_code < 500, (field, value[:20])
            assert client.post(f"/mail/mailboxes/{world.box.pk}/", data).status_code < 500, (field, value[:20])
            assert api.post("/api/v1/mailboxes/", data, format="json").status_code < 500, (field, value[:20])
            assert api.patch(f"/api/v1/mailboxes/{world.box.pk}/", {field: value},
                             format="json").status_code < 500, (field, value[:20])
        for data in ({"domain": value, "organization": world.domain.organization_id},
                     {"domain": "ok.example.com", "organization": value}):
            assert client.post("/mail/domains/", data).status_code < 500, value[:20]
            assert api.post("/api/v1/mail-domains/", data, format="json").status_code < 500, value[:20]
        for name in ("mailbox", "outcome", "sender", "held", "after", "before"):
            assert client.get("/mail/messages/", {name: value}).status_code < 500, (name, value[:20])
            assert client.get("/mail/held/", {name: value}).status_code < 500, (name, value[:20])
        for name in ("mailbox", "outcome", "sender", "held", "cursor", "page_size"):
            assert api.get("/api/v1/inbound-messages/", {name: value}).status_code < 500, (name, value[:20])
    for url in ("/mail/mailboxes/{}/", "/mail/messages/{}/download/", "/mail/messages/{}/as-sent/",
                "/api/v1/mailboxes/{}/", "/api/v1/inbound-messages/{}/"):
        for pk in ("999999", str(2**64), "0"):
            assert client.get(url.format(pk)).status_code == 404, url
    for url in ("/mail/messages/{}/retry/", "/mail/messages/{}/discard/", "/mail/mailboxes/{}/test/",
                "/api/v1/inbound-messages/{}/retry/"):
        assert client.post(url.format(2**64)).status_code == 404, url


def test_the_stored_message_is_only_ever_an_attachment_for_admins(world):
    raw = b"From: a@example.com\r\nContent-Type: text/html\r\n\r\n<script>alert(document.cookie)</script>"
    InboundMessage.objects.filter(pk=world.held.pk).update(raw=raw)
    client = Client()
    client.force_login(world.admin)
    response = client.get(f"/mail/messages/{world.held.pk}/download/")
    assert response.content == raw
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    for who in ("manager", "agent", "victim"):
        other = Client()
        other.force_login(getattr(world, who))
        assert other.get(f"/mail/messages/{world.held.pk}/download/").status_code == 403


def test_deep_json_nul_bytes_huge_numbers_and_far_dates_are_a_400(world, api_as):
    api = api_as(world.admin)
    api.raise_request_exception = False
    deep = "[" * 5000 + "]" * 5000
    base = {"name": "Probe", "address": "p@example.com", "host": "imap.example.com", "username": "p",
            "folder": "INBOX", "kind": "incident", "protocol": "imaps"}
    for method, url in (("POST", "/api/v1/mailboxes/"), ("PATCH", f"/api/v1/mailboxes/{world.box.pk}/"),
                        ("POST", "/api/v1/mail-domains/")):
        assert api.generic(method, url, deep, content_type="application/json").status_code == 400, url
        assert api.generic(method, url, '{"name": "a\\u0000b", "domain": "a\\u0000b.example.com"}',
                           content_type="application/json").status_code == 400, url
    for field, value in (("port", 10**30), ("senders_per_hour", 10**30), ("team", 2**63), ("service", -1),
                         ("organization", 1e308), ("active", {"a": [1]}), ("name", "2999-12-31T00:00:00Z" * 50)):
        response = api.post("/api/v1/mailboxes/", {**base, field: value}, format="json")
        assert response.status_code == 400 and field in response.json(), (field, response.content[:200])
    for query in ({"cursor": "9" * 400}, {"page_size": str(10**30)}, {"received_after": "99999-01-01"},
                  {"mailbox": "1e400"}, {"sender": "\x00"}):
        assert api.get("/api/v1/inbound-messages/", query).status_code in (200, 400), query
    assert not Mailbox.objects.filter(name="Probe").exists()
