"""The e-mail channel's pages as an admin uses them: mailboxes, sender domains, the inbound mail log, held mail,
the ticket page's "E-mail" panel and "View as sent"."""

import pytest
from django.urls import reverse

from core import permissions
from mailchannel import message_views
from mailchannel.models import InboundMessage, Mailbox, OrganizationDomain, Outcome, TargetKind
from tests.support import factories
from tests.support.catalog_factories import CatalogItemFactory, ItemFieldFactory
from tests.support.mail_factories import PASSWORD, mailbox, message, peer
from tests.support.queries import count_queries, max_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = factories.admin(username="root")
    client.force_login(user)
    return user


def form_data(**changes):
    data = {"name": "Service desk", "address": "desk@example.com", "active": "on", "protocol": "imaps",
            "host": "imap.example.com", "port": "", "username": "desk", "password": "s3cret", "folder": "INBOX",
            "processed_folder": "", "kind": "incident", "catalog_item": "", "team": "", "service": "",
            "organization": "", "senders_per_hour": "20"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def flashes(response):
    """The messages this request added."""
    return [str(m) for m in response.wsgi_request._messages._queued_messages]


# --- mailboxes ---------------------------------------------------------------------------------------------------

def test_mailbox_list_shows_each_mailbox_and_costs_the_same_for_more(client, admin):
    team = factories.TeamFactory(name="Service Desk")
    mailbox(name="Helpdesk", team=team, last_error="login failed", port=1993)
    html = client.get(reverse("mailchannel:mailboxes")).content.decode()
    assert "Helpdesk" in html and "imap.example.com:1993" in html and "Service Desk" in html
    assert "login failed" in html and "never" in html and PASSWORD not in html
    few = count_queries(lambda: client.get(reverse("mailchannel:mailboxes")))
    for n in range(5):
        mailbox(name=f"More {n}", team=team)
    assert count_queries(lambda: client.get(reverse("mailchannel:mailboxes"))) == few


def test_create_an_incident_mailbox(client, admin):
    team = factories.TeamFactory(name="Desk")
    response = client.post(reverse("mailchannel:mailbox-create"), form_data(team=team.pk, port="993"))
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Mailbox.objects.get(name="Service desk")
    assert (saved.password, saved.team, saved.port, saved.kind) == ("s3cret", team, 993, TargetKind.INCIDENT)
    assert "was saved" in flashes(response)[0]


def test_a_request_mailbox_needs_an_active_item_that_asks_nothing_required(client, admin):
    url = reverse("mailchannel:mailbox-create")
    missing = client.post(url, form_data(kind="request"))
    assert missing.status_code == 400 and "Choose the catalogue item" in missing.content.decode()
    asking = CatalogItemFactory(name="New laptop")
    ItemFieldFactory(item=asking, label="Model", required=True)
    refused = client.post(url, form_data(kind="request", catalog_item=asking.pk))
    assert refused.status_code == 400 and "asks for answers a mail cannot give (Model)" in refused.content.decode()
    inactive = CatalogItemFactory(name="Old item", active=False)
    assert client.post(url, form_data(kind="request", catalog_item=inactive.pk)).status_code == 400
    simple = CatalogItemFactory(name="Question")
    ItemFieldFactory(item=simple, label="Details", required=False)
    assert client.post(url, form_data(kind="request", catalog_item=simple.pk)).status_code == 302
    assert Mailbox.objects.get().catalog_item == simple
    incident = client.post(url, form_data(name="Other", kind="incident", catalog_item=simple.pk))
    assert incident.status_code == 400 and "Only a mailbox whose mail becomes service requests" in \
        incident.content.decode()


@pytest.mark.parametrize("field, value", [
    ("port", "0"), ("port", "65536"), ("port", "\u0661\u0664\u0663"), ("port", "abc"), ("port", "9" * 40),
    ("host", "imap.example.com\r\nA1 LOGOUT"), ("host", "bad host"), ("folder", "INBOX\r\nA2 DELETE x"),
    ("username", "x\ny"), ("password", "p\r\nw"), ("address", "not an address"), ("name", "n" * 5000),
    ("senders_per_hour", "0"), ("senders_per_hour", "10000000"), ("team", "99999999999999999999999"),
    ("team", "\u00b2"), ("catalog_item", str(2**63)), ("kind", "problem"), ("protocol", "pop3"),
])
def test_bad_mailbox_input_is_a_form_error(client, admin, field, value):
    response = client.post(reverse("mailchannel:mailbox-create"), form_data(**{field: value}))
    assert response.status_code == 400
    assert not Mailbox.objects.exists()


def test_edit_keeps_the_password_unless_a_new_one_is_typed_and_never_shows_it(client, admin):
    box = mailbox(name="Desk")
    url = reverse("mailchannel:mailbox-edit", args=[box.pk])
    page = client.get(url).content.decode()
    assert PASSWORD not in page and 'name="password"' in page and "Leave empty to keep" in page
    assert client.post(url, form_data(name="Desk", password="", host="mail.example.com")).status_code == 302
    box.refresh_from_db()
    assert (box.password, box.host) == (PASSWORD, "mail.example.com")
    assert client.post(url, form_data(name="Desk", password="n3w")).status_code == 302
    box.refresh_from_db()
    assert box.password == "n3w"
    again = client.post(url, form_data(name="Desk", password="n3w-too", port="0"))
    assert again.status_code == 400 and "n3w" not in again.content.decode()


def test_a_mailbox_from_settings_is_read_only(client, admin):
    box = mailbox(name="From env", from_settings=True)
    url = reverse("mailchannel:mailbox-edit", args=[box.pk])
    page = client.get(url)
    assert page.status_code == 200 and "INBOUND_MAIL_URLS" in page.content.decode()
    assert 'name="host"' not in page.content.decode() and PASSWORD not in page.content.decode()
    refused = client.post(url, form_data(name="From env", host="evil.example.com"))
    assert refused.status_code == 302 and "INBOUND_MAIL_URLS" in flashes(refused)[0]
    deleted = client.post(reverse("mailchannel:mailbox-delete", args=[box.pk]))
    assert deleted.status_code == 302
    box.refresh_from_db()
    assert box.host == "imap.example.com"


def test_delete_asks_first_and_keeps_the_messages(client, admin):
    box = mailbox(name="Old desk")
    kept = message(mailbox=box)
    url = reverse("mailchannel:mailbox-delete", args=[box.pk])
    confirm = client.get(url).content.decode()
    assert "Delete the mailbox Old desk?" in confirm and "The 1 message already read stays" in confirm
    assert Mailbox.objects.filter(pk=box.pk).exists()
    assert client.post(url).status_code == 302
    assert not Mailbox.objects.filter(pk=box.pk).exists()
    kept.refresh_from_db()
    assert kept.mailbox is None


def test_test_connection_says_what_the_server_answered(client, admin, monkeypatch):
    box = mailbox(name="Desk")
    calls = []
    imap = peer(monkeypatch, "imap", check_connection=calls.append)
    url = reverse("mailchannel:mailbox-test", args=[box.pk])
    ok = client.post(url)
    assert ok.status_code == 302 and calls == [box] and "answered" in flashes(ok)[0]

    def refuse(mailbox):
        raise imap.MailboxError("LOGIN failed: wrong password")

    monkeypatch.setattr(imap, "check_connection", refuse)
    failed = client.post(url, {"next": reverse("mailchannel:mailbox-edit", args=[box.pk])})
    assert failed.url == reverse("mailchannel:mailbox-edit", args=[box.pk])
    assert "LOGIN failed: wrong password" in flashes(failed)[0]

    def unreachable(mailbox):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(imap, "check_connection", unreachable)
    assert "Connection refused" in flashes(client.post(url, {"next": "https://evil.example.com/"}))[0]
    assert client.get(url).status_code == 405


def test_read_now_queues_the_poll_and_a_broker_failure_is_a_message(client, admin, monkeypatch):
    queued = []
    task = type("Task", (), {"delay": staticmethod(lambda: queued.append(True))})
    tasks = peer(monkeypatch, "tasks", poll_mailboxes=task)
    ok = client.post(reverse("mailchannel:read-now"))
    assert ok.status_code == 302 and queued == [True] and "read in a moment" in flashes(ok)[0]

    def down():
        raise ConnectionError("redis://:hunter2@broker:6379 refused")

    monkeypatch.setattr(tasks, "poll_mailboxes", type("Task", (), {"delay": staticmethod(down)}))
    failed = client.post(reverse("mailchannel:read-now"))
    assert failed.status_code == 302
    text = flashes(failed)[0]
    assert "could not be queued" in text and "hunter2" not in text


# --- sender domains ----------------------------------------------------------------------------------------------

def test_domains_are_added_lower_case_once_and_removed(client, admin):
    acme = factories.OrganizationFactory(name="Acme")
    url = reverse("mailchannel:domains")
    added = client.post(url, {"domain": " @Acme.Example.COM ", "organization": acme.pk})
    assert added.status_code == 302 and "acme.example.com" in flashes(added)[0]
    assert OrganizationDomain.objects.get().domain == "acme.example.com"
    again = client.post(url, {"domain": "ACME.example.com", "organization": acme.pk})
    assert again.status_code == 400 and "already mapped" in again.content.decode()
    assert client.post(url, {"domain": "例子.中国", "organization": acme.pk}).status_code == 302
    assert OrganizationDomain.objects.filter(domain="xn--fsqu00a.xn--fiqs8s").exists()
    page = client.get(url).content.decode()
    assert "acme.example.com" in page and "Acme" in page
    domain = OrganizationDomain.objects.get(domain="acme.example.com")
    assert client.post(reverse("mailchannel:domain-delete", args=[domain.pk])).status_code == 302
    assert not OrganizationDomain.objects.filter(pk=domain.pk).exists()


@pytest.mark.parametrize("value", ["localhost", "not a domain", "a..b.com", "-a.com", "a" * 64 + ".com",
                                   ("a" * 60 + ".") * 5 + "com", "exa mple.com", "x@y.com", "", "\x00.com"])
def test_a_domain_that_is_not_one_is_refused(client, admin, value):
    acme = factories.OrganizationFactory(name="Acme")
    response = client.post(reverse("mailchannel:domains"), {"domain": value, "organization": acme.pk})
    assert response.status_code == 400 and not OrganizationDomain.objects.exists()


def test_domain_list_pages_by_keyset(client, admin):
    acme = factories.OrganizationFactory(name="Acme")
    OrganizationDomain.objects.bulk_create(OrganizationDomain(domain=f"d{n:03d}.example.com", organization=acme)
                                           for n in range(60))
    first = client.get(reverse("mailchannel:domains")).content.decode()
    assert "d000.example.com" in first and "d059.example.com" not in first and "after=" in first
    cursor = first.split("after=")[1].split('"')[0]
    second = client.get(reverse("mailchannel:domains") + f"?after={cursor}").content.decode()
    assert "d059.example.com" in second and "d000.example.com" not in second


# --- the inbound mail log and held mail --------------------------------------------------------------------------

def test_log_lists_every_message_newest_first_with_its_ticket(client, admin):
    box = mailbox(name="Desk")
    incident = factories.incident(title="From mail")
    message(mailbox=box, ticket=incident, subject="Printer jam")
    message(Outcome.AUTO_REPLY, subject="Out of office", detail="Auto-Submitted: auto-replied")
    html = client.get(reverse("mailchannel:messages")).content.decode()
    assert html.index("Out of office") < html.index("Printer jam")
    assert f'href="/incidents/{incident.pk}/">{incident.number}</a>' in html and "Auto-Submitted" in html


def test_log_filters_by_mailbox_outcome_and_sender(client, admin):
    box = mailbox(name="Desk")
    message(mailbox=box, sender="alice@acme.example", subject="Alpha")
    message(Outcome.BOUNCE, sender="mailer-daemon@acme.example", subject="Beta")
    message(Outcome.FAILED, sender="bob@other.example", subject="Gamma")
    url = reverse("mailchannel:messages")
    assert _subjects(client, url, f"?mailbox={box.pk}") == ["Alpha"]
    assert _subjects(client, url, "?outcome=bounce") == ["Beta"]
    assert _subjects(client, url, "?sender=ACME") == ["Beta", "Alpha"]
    assert _subjects(client, url, "?held=true") == ["Gamma"]


def _subjects(client, url, query):
    html = client.get(url + query).content.decode()
    return [s for s in ("Gamma", "Beta", "Alpha") if f">{s}</span>" in html]


@pytest.mark.parametrize("query", ["?mailbox=999999999999999999999", "?mailbox=\u00b2", "?outcome=nope",
                                   "?sender=" + "x" * 300, "?sender=a%00b", "?held=maybe",
                                   "?after=%%%", "?before=eyJ4Ijog"])
def test_bad_log_filters_are_refused_or_ignored_never_a_500(client, admin, query):
    message()
    response = client.get(reverse("mailchannel:messages") + query)
    assert response.status_code in (200, 400)


def test_log_and_held_lists_cost_the_same_for_more_rows(client, admin):
    box = mailbox(name="Desk")
    for n in range(3):
        message(mailbox=box, ticket=factories.incident(title=f"T{n}"))
        message(Outcome.FAILED, mailbox=box)
    few = {name: count_queries(lambda: client.get(reverse(name))) for name in ("mailchannel:messages",
                                                                                 "mailchannel:held")}
    other = mailbox(name="Other")
    for n in range(20):
        message(mailbox=other if n % 2 else box, ticket=factories.incident(title=f"U{n}"))
        message(Outcome.UNKNOWN_SENDER, mailbox=other)
    for name, queries in few.items():
        assert count_queries(lambda: client.get(reverse(name))) == queries, name


def test_held_list_shows_only_held_mail_with_its_actions(client, admin):
    held = message(Outcome.UNKNOWN_SENDER, subject="Who am I")
    message(subject="Handled fine")
    html = client.get(reverse("mailchannel:held")).content.decode()
    assert "Who am I" in html and "Handled fine" not in html
    assert reverse("mailchannel:message-retry", args=[held.pk]) in html
    assert reverse("mailchannel:message-discard", args=[held.pk]) in html
    assert reverse("mailchannel:message-download", args=[held.pk]) in html
    assert client.get(reverse("mailchannel:held") + "?outcome=created").status_code == 400


def fake_ingest(monkeypatch, becomes):
    def retry(message, actor):
        if becomes == "ticket":
            message.ticket = factories.incident(title=message.subject)
            message.outcome = Outcome.CREATED
            message.detail = ""
        else:
            message.detail = "Still no account for this sender."
        message.handled_by = actor
        message.save()
        return message

    def discard(message, actor):
        message.outcome, message.raw, message.handled_by = Outcome.DISCARDED, None, actor
        message.save()
        return message

    return peer(monkeypatch, "ingest", retry=retry, discard=discard)


def test_retry_says_which_ticket_the_message_became(client, admin, monkeypatch):
    fake_ingest(monkeypatch, "ticket")
    held = message(Outcome.RATE_LIMITED, sender="loop@example.com")
    back = reverse("mailchannel:held") + "?outcome=rate_limited"
    response = client.post(reverse("mailchannel:message-retry", args=[held.pk]), {"next": back})
    held.refresh_from_db()
    assert response.status_code == 302 and response.url == back
    assert f"became {held.ticket.number}" in flashes(response)[0]


def test_retry_that_fails_again_shows_the_new_detail(client, admin, monkeypatch):
    fake_ingest(monkeypatch, "held")
    held = message(Outcome.UNKNOWN_SENDER)
    response = client.post(reverse("mailchannel:message-retry", args=[held.pk]))
    assert "Still no account for this sender." in flashes(response)[0]
    assert "error" in response.wsgi_request._messages._queued_messages[0].tags


def test_discard_and_what_cannot_be_retried(client, admin, monkeypatch):
    fake_ingest(monkeypatch, "ticket")
    held = message(Outcome.FAILED)
    response = client.post(reverse("mailchannel:message-discard", args=[held.pk]))
    held.refresh_from_db()
    assert response.status_code == 302 and held.outcome == Outcome.DISCARDED and held.handled_by == admin
    assert "discarded" in flashes(response)[0]
    for name in ("mailchannel:message-retry", "mailchannel:message-discard"):
        assert client.post(reverse(name, args=[held.pk])).status_code == 404  # no longer held
        assert client.get(reverse(name, args=[held.pk])).status_code == 405


def test_download_is_the_whole_message_as_an_attachment(client, admin):
    held = message(Outcome.FAILED, raw=b"From: x@example.com\r\nSubject: <script>alert(1)</script>\r\n\r\nbody")
    response = client.get(reverse("mailchannel:message-download", args=[held.pk]))
    assert response.status_code == 200 and response.content.startswith(b"From: x@example.com")
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="message-{held.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    gone = message(Outcome.DISCARDED)
    assert client.get(reverse("mailchannel:message-download", args=[gone.pk])).status_code == 404


# --- the ticket panel and "View as sent" -------------------------------------------------------------------------

def test_ticket_page_shows_the_mail_panel_in_one_query(client, admin):
    incident = factories.incident(title="Mail ticket")
    first = message(ticket=incident, subject="Screen flickers", html="<p>Screen <b>flickers</b></p>")
    message(Outcome.REPLIED, ticket=incident, subject="Re: Screen flickers")
    message(Outcome.FAILED, ticket=incident, subject="Broken copy")
    url = reverse("incidents:detail", args=[incident.pk])
    html = client.get(url).content.decode()
    panel = html.split('id="mail-panel"')[1].split("</section>")[0]
    assert "Screen flickers" in panel and "Re: Screen flickers" in panel and "Broken copy" not in panel
    assert panel.count("View as sent") == 1
    assert reverse("mailchannel:message-as-sent", args=[first.pk]) in panel
    assert "All inbound mail" in panel
    few = count_queries(lambda: client.get(url))
    for n in range(10):
        message(Outcome.REPLIED, ticket=incident, html="<p>x</p>")
    assert count_queries(lambda: client.get(url)) == few


def test_the_panel_reads_one_query_and_shows_the_latest_hundred(rf, admin):
    incident = factories.incident()
    InboundMessage.objects.bulk_create(InboundMessage(key=f"<k{n}@x>", outcome=Outcome.REPLIED, ticket=incident,
                                                      subject=f"Mail {n}") for n in range(101))
    request = rf.get("/")
    request.user = admin
    assert permissions.is_manager(admin)  # roles are read once per request, by the page already
    with max_queries(1):
        context = message_views.ticket_panel_context(incident, request)
    rows = context["mail_messages"]
    assert len(rows) == 100 and context["mail_more"] and (rows[0].subject, rows[-1].subject) == ("Mail 1", "Mail 100")


def test_no_panel_on_a_ticket_without_mail(client, admin):
    incident = factories.incident()
    message(ticket=factories.incident(title="Another"))
    assert 'id="mail-panel"' not in client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()


def test_view_as_sent_frames_the_html_sandboxed_without_scripts(client, admin):
    incident = factories.incident()
    hostile = '<p onclick="x()">Hi</p>"><script>alert(1)</script><img src="https://tracker.example/p.gif">'
    sent = message(ticket=incident, subject="Hello", html=hostile)
    response = client.get(reverse("mailchannel:message-as-sent", args=[sent.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    frame = html.split("<iframe")[1].split("</iframe>")[0]
    assert frame.startswith(" sandbox srcdoc=") and "<script>" not in frame and '"><' not in frame
    assert "&lt;script&gt;" in frame and "<script" not in html
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "img-src data:" in policy
    assert response["Referrer-Policy"] == "no-referrer"
    assert f"/incidents/{incident.pk}/" in html


def test_view_as_sent_only_for_ticket_mail_with_html(client, admin):
    incident = factories.incident()
    for unseen in (message(ticket=incident, html=""), message(Outcome.FAILED, ticket=incident, html="<p>x</p>"),
                   message(html="<p>no ticket</p>")):
        assert client.get(reverse("mailchannel:message-as-sent", args=[unseen.pk])).status_code == 404
    assert client.get("/mail/messages/99999999999999999999999/as-sent/").status_code == 404
    assert InboundMessage.objects.count() == 3


def test_a_refused_retry_is_a_message(client, admin, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(message, actor):
        raise ValidationError("The mailbox of this message was deleted.")

    peer(monkeypatch, "ingest", retry=refuse)
    held = message(Outcome.FAILED)
    response = client.post(reverse("mailchannel:message-retry", args=[held.pk]))
    assert response.status_code == 302 and flashes(response) == ["The mailbox of this message was deleted."]
