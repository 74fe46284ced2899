"""/api/v1/mailboxes/, /api/v1/mail-domains/ and /api/v1/inbound-messages/ as an admin (and a manager) uses them."""

import pytest

from mailchannel.models import InboundMessage, Mailbox, OrganizationDomain, Outcome
from tests.support import factories
from tests.support.catalog_factories import CatalogItemFactory, ItemFieldFactory
from tests.support.mail_factories import mailbox, message, peer
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db

MAILBOXES, DOMAINS, MESSAGES = "/api/v1/mailboxes/", "/api/v1/mail-domains/", "/api/v1/inbound-messages/"


@pytest.fixture
def api(api_as):
    client = api_as(factories.admin(username="root"))
    client.raise_request_exception = False
    return client


def payload(**changes):
    data = {"name": "Service desk", "address": "desk@example.com", "host": "imap.example.com",
            "username": "desk", "password": "s3cret", "kind": "incident"}
    data.update(changes)
    return data


def test_mailbox_crud_with_a_write_only_password(api):
    team = factories.TeamFactory(name="Desk")
    created = api.post(MAILBOXES, payload(team=team.pk, port=993), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert "password" not in body and body["has_password"] is True and body["from_settings"] is False
    assert (body["team"], body["port"], body["folder"], body["senders_per_hour"]) == (team.pk, 993, "INBOX", 20)
    pk = body["id"]
    assert api.patch(f"{MAILBOXES}{pk}/", {"host": "mail.example.com", "password": ""},
                     format="json").status_code == 200
    box = Mailbox.objects.get(pk=pk)
    assert (box.host, box.password) == ("mail.example.com", "s3cret")
    assert api.patch(f"{MAILBOXES}{pk}/", {"password": "n3w"}, format="json").status_code == 200
    assert Mailbox.objects.get(pk=pk).password == "n3w"
    put = api.put(f"{MAILBOXES}{pk}/", payload(name="Renamed", password=""), format="json")
    assert put.status_code == 200 and Mailbox.objects.get(pk=pk).password == "n3w"
    listed = api.get(MAILBOXES).json()
    assert [row["name"] for row in listed["results"]] == ["Renamed"] and "n3w" not in str(listed)
    assert "n3w" not in api.get(f"{MAILBOXES}{pk}/").content.decode()
    kept = message(mailbox=box)
    assert api.delete(f"{MAILBOXES}{pk}/").status_code == 204
    assert not Mailbox.objects.exists() and InboundMessage.objects.get(pk=kept.pk).mailbox is None


def test_request_mailboxes_name_an_item_that_asks_nothing_required(api):
    missing = api.post(MAILBOXES, payload(kind="request"), format="json")
    assert missing.status_code == 400 and "catalog_item" in missing.json()
    item = CatalogItemFactory(name="New laptop")
    ItemFieldFactory(item=item, label="Model", required=True)
    asking = api.post(MAILBOXES, payload(kind="request", catalog_item=item.pk), format="json")
    assert asking.status_code == 400 and "Model" in asking.json()["catalog_item"][0]
    inactive = CatalogItemFactory(name="Gone", active=False)
    assert "not active" in api.post(MAILBOXES, payload(kind="request", catalog_item=inactive.pk),
                                    format="json").json()["catalog_item"][0]
    fine = CatalogItemFactory(name="Question")
    created = api.post(MAILBOXES, payload(kind="request", catalog_item=fine.pk), format="json")
    assert created.status_code == 201
    switched = api.patch(f"{MAILBOXES}{created.json()['id']}/", {"kind": "incident"}, format="json")
    assert switched.status_code == 400 and "catalog_item" in switched.json()


@pytest.mark.parametrize("changes", [
    {"port": 0}, {"port": 65536}, {"port": "\u0661\u0664\u0663"}, {"port": "99999999999999999999999"},
    {"port": "abc"}, {"host": "imap.example.com\r\nA1 LOGOUT"}, {"host": "x" * 300}, {"folder": "IN\nBOX"},
    {"folder": ""}, {"password": "a\r\nb"}, {"username": "u\x00"}, {"address": "nope"}, {"name": "n" * 5000},
    {"senders_per_hour": 0}, {"senders_per_hour": 10**12}, {"team": 2**64}, {"team": "\u00b2"},
    {"service": -1}, {"organization": "x"}, {"catalog_item": 99999}, {"kind": "problem"}, {"protocol": "pop3"},
    {"active": "perhaps"}, {"name": ""},
])
def test_bad_mailbox_input_is_a_400_naming_the_field(api, changes):
    response = api.post(MAILBOXES, payload(**changes), format="json")
    assert response.status_code == 400, response.content[:300]
    assert set(changes) & set(response.json()), response.json()
    assert not Mailbox.objects.exists()


def test_a_mailbox_name_is_unique(api):
    mailbox(name="Desk")
    response = api.post(MAILBOXES, payload(name="Desk"), format="json")
    assert response.status_code == 400 and "name" in response.json()


def test_a_mailbox_from_settings_is_read_only(api):
    box = mailbox(name="From env", from_settings=True)
    patched = api.patch(f"{MAILBOXES}{box.pk}/", {"host": "evil.example.com"}, format="json")
    assert patched.status_code == 400 and "INBOUND_MAIL_URLS" in str(patched.json())
    assert api.delete(f"{MAILBOXES}{box.pk}/").status_code == 400
    assert Mailbox.objects.get(pk=box.pk).host == "imap.example.com"
    assert api.get(f"{MAILBOXES}{box.pk}/").json()["from_settings"] is True


def test_unknown_and_huge_ids_are_404(api):
    for url in (f"{MAILBOXES}999999/", f"{MAILBOXES}{2**64}/", f"{DOMAINS}{2**64}/", f"{MESSAGES}{2**64}/",
                f"{MESSAGES}999999/retry/"):
        assert api.get(url).status_code in (404, 405) and api.post(url).status_code in (404, 405)


def test_domain_crud(api):
    acme, initech = factories.OrganizationFactory(name="Acme"), factories.OrganizationFactory(name="Initech")
    created = api.post(DOMAINS, {"domain": "@ACME.example.com", "organization": acme.pk}, format="json")
    assert created.status_code == 201 and created.json()["domain"] == "acme.example.com"
    assert created.json()["organization_name"] == "Acme"
    duplicate = api.post(DOMAINS, {"domain": "acme.EXAMPLE.com", "organization": initech.pk}, format="json")
    assert duplicate.status_code == 400 and "domain" in duplicate.json()
    pk = created.json()["id"]
    assert api.patch(f"{DOMAINS}{pk}/", {"organization": initech.pk}, format="json").json()["organization"] == \
        initech.pk
    assert api.patch(f"{DOMAINS}{pk}/", {"domain": "acme.example.com"}, format="json").status_code == 200
    assert [row["domain"] for row in api.get(DOMAINS).json()["results"]] == ["acme.example.com"]
    assert api.delete(f"{DOMAINS}{pk}/").status_code == 204 and not OrganizationDomain.objects.exists()


@pytest.mark.parametrize("body", [{"domain": "localhost"}, {"domain": "a b.com"}, {"domain": "x" * 300},
                                  {"domain": ""}, {"domain": None}, {"domain": ["a.com"]}, {"organization": 2**70},
                                  {"organization": "\u00b2"}, {"organization": None}])
def test_bad_domain_input_is_a_400(api, body):
    acme = factories.OrganizationFactory(name="Acme")
    response = api.post(DOMAINS, {"domain": "acme.example.com", "organization": acme.pk} | body, format="json")
    assert response.status_code == 400 and set(body) & set(response.json())


def test_inbound_messages_list_filters_and_pages(api):
    box = mailbox(name="Desk")
    incident = factories.incident()
    first = message(mailbox=box, ticket=incident, sender="alice@acme.example")
    message(Outcome.AUTO_REPLY, sender="robot@acme.example")
    held = message(Outcome.UNKNOWN_SENDER, sender="stranger@else.example")
    rows = api.get(MESSAGES).json()["results"]
    assert [row["id"] for row in rows] == [held.pk, held.pk - 1, first.pk]
    assert rows[2]["ticket_number"] == incident.number and rows[2]["mailbox_name"] == "Desk"
    assert rows[0]["held"] is True and rows[0]["has_raw"] is True and "raw" not in rows[0]
    assert [r["id"] for r in api.get(f"{MESSAGES}?held=true").json()["results"]] == [held.pk]
    assert [r["id"] for r in api.get(f"{MESSAGES}?outcome=created").json()["results"]] == [first.pk]
    assert [r["id"] for r in api.get(f"{MESSAGES}?mailbox={box.pk}").json()["results"]] == [first.pk]
    assert len(api.get(f"{MESSAGES}?sender=ACME").json()["results"]) == 2
    page = api.get(f"{MESSAGES}?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    rest = api.get(page["next"]).json()
    assert [r["id"] for r in rest["results"]] == [first.pk] and rest["previous"]
    assert api.get(f"{MESSAGES}{first.pk}/").json()["outcome_label"] == "New ticket"


@pytest.mark.parametrize("query", ["outcome=nope", "mailbox=99999999999999999999999", "mailbox=\u00b2",
                                   "sender=" + "x" * 300, "sender=a%00b", "cursor=%%%", "cursor=eyJ2IjogWyJ4Il19"])
def test_bad_message_filters_are_a_400(api, query):
    message()
    assert api.get(f"{MESSAGES}?{query}").status_code == 400


def test_an_unreadable_held_filter_is_no_filter(api):
    message(), message(Outcome.FAILED)
    assert len(api.get(f"{MESSAGES}?held=maybe").json()["results"]) == 2


def test_message_list_costs_the_same_for_more_rows(api):
    box = mailbox(name="Desk")
    for n in range(3):
        message(mailbox=box, ticket=factories.incident(title=f"T{n}"))
    api.get(MESSAGES)  # the token's first use is recorded once
    few = count_queries(lambda: api.get(MESSAGES))
    for n in range(20):
        message(Outcome.FAILED, mailbox=mailbox() if n % 3 else box, ticket=factories.incident(title=f"U{n}"))
    assert count_queries(lambda: api.get(MESSAGES)) == few


def test_retry_and_discard_held_messages(api, monkeypatch):
    def retry(message, actor):
        message.ticket, message.outcome = factories.incident(title=message.subject), Outcome.CREATED
        message.save()
        return message

    def discard(message, actor):
        message.outcome, message.raw, message.handled_by = Outcome.DISCARDED, None, actor
        message.save()
        return message

    peer(monkeypatch, "ingest", retry=retry, discard=discard)
    held, other = message(Outcome.FAILED), message(Outcome.RATE_LIMITED)
    retried = api.post(f"{MESSAGES}{held.pk}/retry/")
    assert retried.status_code == 200 and retried.json()["outcome"] == "created"
    assert retried.json()["ticket_number"] in retried.json()["result"]
    again = api.post(f"{MESSAGES}{held.pk}/retry/")
    assert again.status_code == 400 and "outcome" in again.json()
    discarded = api.post(f"{MESSAGES}{other.pk}/discard/")
    assert discarded.status_code == 200 and discarded.json()["outcome"] == "discarded"
    assert discarded.json()["has_raw"] is False and discarded.json()["handled_by"] is not None


def test_a_manager_reads_the_log_and_nothing_else(api_as, monkeypatch):
    manager = api_as(factories.manager())
    held, box = message(Outcome.FAILED), mailbox()
    assert manager.get(MESSAGES).status_code == 200 and manager.get(f"{MESSAGES}{held.pk}/").status_code == 200
    peer(monkeypatch, "ingest", retry=pytest.fail, discard=pytest.fail)
    for url in (f"{MESSAGES}{held.pk}/retry/", f"{MESSAGES}{held.pk}/discard/"):
        assert manager.post(url).status_code == 403
    for url in (MAILBOXES, f"{MAILBOXES}{box.pk}/", DOMAINS):
        assert manager.get(url).status_code == 403
    assert manager.post(MAILBOXES, payload(), format="json").status_code == 403


def test_a_refused_retry_is_a_400(api, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(message, actor):
        raise ValidationError({"mailbox": ["The mailbox of this message was deleted."]})

    peer(monkeypatch, "ingest", retry=refuse)
    held = message(Outcome.FAILED)
    response = api.post(f"{MESSAGES}{held.pk}/retry/")
    assert response.status_code == 400 and response.json() == {"mailbox": ["The mailbox of this message was deleted."]}
