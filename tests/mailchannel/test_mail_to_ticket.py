"""The whole inbound path on a real Dovecot with the real ingest: one ticket per message whatever happens to the
poll, replies threaded by header and by subject, an attachment and a GBK mail arriving, a loop stopped."""

import base64

import pytest

from core.models import Attachment, Comment, Outbox
from incidents.models import Incident
from mailchannel import imap, polling
from mailchannel.models import InboundMessage, Outcome
from tests.support import factories
from tests.support.imap import compose, deliver, flags, make_mailbox

from .mail import raw

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def desk(clean_imap):
    factories.requester(username="alice", email="alice@example.com",
                        organization=factories.OrganizationFactory(name="Acme"))
    return make_mailbox(clean_imap, team=factories.TeamFactory(name="Service Desk"))


def test_a_crash_after_the_ticket_but_before_marking_makes_no_second_ticket(clean_imap, desk, monkeypatch):
    deliver(clean_imap, "desk", compose(subject="Crash after the ticket"))
    mark_handled = imap.Client.mark_handled
    crashes = [RuntimeError("worker killed")]

    def crash_once(client, uid):
        if crashes:
            raise crashes.pop()
        mark_handled(client, uid)

    monkeypatch.setattr(imap.Client, "mark_handled", crash_once)
    with pytest.raises(RuntimeError):
        polling.poll_mailbox(desk)
    assert Incident.objects.count() == 1 and flags(clean_imap, "desk") == [set()]

    assert polling.poll_mailbox(desk)["duplicates"] == 1
    assert Incident.objects.count() == 1 and InboundMessage.objects.count() == 1
    assert flags(clean_imap, "desk") == [{r"\Seen"}]
    assert polling.poll_mailbox(desk)["read"] == 0


def test_new_mail_then_replies_by_header_and_by_subject(clean_imap, desk):
    deliver(clean_imap, "desk", compose(subject="VPN drops every hour", message_id="<vpn@example.com>"))
    polling.poll_mailbox(desk)
    incident = Incident.objects.get()
    deliver(clean_imap, "desk", compose(subject="Re: VPN", body="Again at 10:00.", In_Reply_To="<vpn@example.com>"))
    deliver(clean_imap, "desk", compose(subject=f"[{incident.number}] still", body="And at 11:00."))
    assert polling.poll_mailbox(desk)["handled"] == 2
    assert list(Comment.objects.filter(ticket=incident).order_by("id").values_list("body", flat=True)) == [
        "Again at 10:00.", "And at 11:00."]
    assert Incident.objects.count() == 1


def test_an_auto_reply_is_ignored_and_marked(clean_imap, desk):
    deliver(clean_imap, "desk", compose(subject="Out of office", **{"Auto-Submitted": "auto-replied"}))
    assert polling.poll_mailbox(desk)["handled"] == 1
    assert not Incident.objects.exists() and not Outbox.objects.exists()
    assert InboundMessage.objects.get().outcome == Outcome.AUTO_REPLY


def test_an_attachment_arrives(clean_imap, desk):
    deliver(clean_imap, "desk", raw(sender="alice@example.com", attachments=[("scan.pdf", PDF, "application/pdf")]))
    polling.poll_mailbox(desk)
    attachment = Attachment.objects.get(ticket=Incident.objects.get())
    assert attachment.filename == "scan.pdf" and attachment.file.read() == PDF


def test_a_gbk_mail_arrives_readable(clean_imap, desk):
    subject = base64.b64encode("邮箱满了".encode("gbk")).decode()
    data = (f"From: alice@example.com\r\nTo: desk@example.com\r\nSubject: =?gbk?B?{subject}?=\r\n"
            "Message-ID: <gbk@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=gbk\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n").encode() + base64.encodebytes(
        "收不到新邮件，提示邮箱已满。".encode("gbk"))
    deliver(clean_imap, "desk", data)
    polling.poll_mailbox(desk)
    incident = Incident.objects.get()
    assert incident.title == "邮箱满了" and "收不到新邮件，提示邮箱已满。" in incident.description


def test_a_mail_loop_is_stopped(clean_imap, desk):
    desk.senders_per_hour = 5
    desk.save()
    for n in range(12):
        deliver(clean_imap, "desk", compose(subject=f"Loop {n}"))
    counts = polling.poll_mailbox(desk)
    assert counts["handled"] == 12
    assert Incident.objects.count() == 5
    assert InboundMessage.objects.filter(outcome=Outcome.RATE_LIMITED).count() == 7
