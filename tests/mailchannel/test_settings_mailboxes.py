"""INBOUND_MAIL_URLS become mailbox rows."""

import logging

import pytest
from django.test import override_settings

from mailchannel.models import Mailbox, Protocol, TargetKind
from mailchannel.settings_mailboxes import redacted, sync_from_settings
from tests.support import factories

pytestmark = pytest.mark.django_db

DESK = ("imaps://desk%40example.com:p%40ss%2Fw%C3%B6rd@mail.example.com:993/Service%20Desk?kind=incident"
        "&team=Service%20Desk&service=E-mail&organization=Acme&address=desk@example.com&create_requesters=1"
        "&processed=Done")
NAME = "desk@example.com@mail.example.com/Service Desk"


@pytest.fixture
def refs():
    return {"team": factories.TeamFactory(name="Service Desk"), "service": factories.ServiceFactory(name="E-mail"),
            "organization": factories.OrganizationFactory(name="Acme")}


def test_an_entry_becomes_a_mailbox(refs):
    with override_settings(INBOUND_MAIL_URLS=[DESK]):
        assert sync_from_settings() == [NAME]
    box = Mailbox.objects.get()
    assert (box.name, box.protocol, box.host, box.port, box.username, box.password, box.folder) == (
        NAME, Protocol.IMAPS, "mail.example.com", 993, "desk@example.com", "p@ss/wörd", "Service Desk")
    assert (box.kind, box.team, box.service, box.organization) == (
        TargetKind.INCIDENT, refs["team"], refs["service"], refs["organization"])
    assert (box.address, box.create_requesters, box.processed_folder) == ("desk@example.com", True, "Done")
    assert box.from_settings and box.active and box.last_error == ""


def test_a_changed_entry_updates_its_mailbox_and_a_removed_one_is_deactivated(refs):
    ui_box = Mailbox.objects.create(name="UI box", address="ui@example.com", host="h", username="u")
    with override_settings(INBOUND_MAIL_URLS=[DESK]):
        sync_from_settings()
    first = Mailbox.objects.get(from_settings=True)
    changed = DESK.replace("kind=incident", "kind=request").replace("&processed=Done", "&senders_per_hour=5")
    with override_settings(INBOUND_MAIL_URLS=[changed]):
        sync_from_settings()
    box = Mailbox.objects.get(from_settings=True)
    assert box.pk == first.pk
    assert (box.kind, box.processed_folder, box.senders_per_hour) == (TargetKind.REQUEST, "", 5)

    with override_settings(INBOUND_MAIL_URLS=[]):
        assert sync_from_settings() == []
    box.refresh_from_db()
    ui_box.refresh_from_db()
    assert not box.active and ui_box.active

    with override_settings(INBOUND_MAIL_URLS=[DESK]):
        sync_from_settings()
    box.refresh_from_db()
    assert box.active


def test_an_unknown_team_leaves_the_mailbox_inactive_with_the_reason(refs, caplog):
    url = DESK.replace("team=Service%20Desk", "team=Nobody").replace("organization=Acme", "organization=Nowhere")
    with override_settings(INBOUND_MAIL_URLS=[url]), caplog.at_level(logging.ERROR):
        sync_from_settings()
    box = Mailbox.objects.get()
    assert not box.active
    assert "no team is named Nobody" in box.last_error
    assert "no organization is named Nowhere" in box.last_error
    assert "no team is named Nobody" in caplog.text

    with override_settings(INBOUND_MAIL_URLS=[DESK]):
        sync_from_settings()
    box.refresh_from_db()
    assert box.active and box.last_error == "" and box.team == refs["team"]


def test_a_poll_error_is_not_cleared_by_the_next_sync(refs):
    with override_settings(INBOUND_MAIL_URLS=[DESK]):
        sync_from_settings()
        Mailbox.objects.update(last_error="Login refused")
        sync_from_settings()
    assert Mailbox.objects.get().last_error == "Login refused"


@pytest.mark.parametrize("url, reason", [
    ("pop3://desk:secret@mail.example.com/INBOX", "unsupported scheme pop3://"),
    ("imaps://mail.example.com/INBOX", "a user and a server are needed"),
    ("imap://desk:secret@mail.example.com:port/INBOX", "the port is not a number"),
])
def test_an_unreadable_entry_is_logged_and_skipped(url, reason, caplog):
    with override_settings(INBOUND_MAIL_URLS=[url]), caplog.at_level(logging.ERROR):
        assert sync_from_settings() == []
    assert reason in caplog.text
    assert "secret" not in caplog.text
    assert not Mailbox.objects.exists()


def test_bad_options_are_named(db):
    url = "imap://desk:secret@mail.example.com/?kind=problem&teem=x&create_requesters=maybe"
    with override_settings(INBOUND_MAIL_URLS=[url]):
        sync_from_settings()
    box = Mailbox.objects.get()
    assert box.folder == "INBOX" and not box.active
    for reason in ("unknown option teem", "kind must be one of incident, request", "create_requesters must be",
                   "address= is needed"):
        assert reason in box.last_error


def test_a_mailbox_of_the_ui_is_never_taken_over(caplog):
    ui_box = Mailbox.objects.create(name="desk@mail.example.com/INBOX", address="ui@example.com",
                                    host="mail.example.com", username="desk", password="ui")
    url = "imaps://desk:env@mail.example.com/INBOX?address=desk@example.com"
    with override_settings(INBOUND_MAIL_URLS=[url]), caplog.at_level(logging.ERROR):
        assert sync_from_settings() == []
    ui_box.refresh_from_db()
    assert ui_box.password == "ui" and not ui_box.from_settings
    assert "configured in the UI" in caplog.text


def test_passwords_are_redacted_in_logs():
    assert redacted("imaps://u:s3cret@h/INBOX") == "imaps://u:***@h/INBOX"
