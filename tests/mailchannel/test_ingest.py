"""A message read from a mailbox becomes a ticket, a reply, or a recorded reason why not; each message once."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.models import Attachment, AuditEntry, Channel, Comment, Outbox, Ticket, TicketLink
from core.tasks import message as outbox_message
from incidents import services as incident_services
from incidents import workflow
from incidents.models import Incident
from mailchannel import ingest
from mailchannel.models import InboundMessage, Mailbox, OrganizationDomain, Outcome
from servicerequests.models import ServiceRequest
from tests.support import factories
from tests.support.catalog_factories import offered_item

from .mail import raw

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def acme():
    return factories.OrganizationFactory(name="Acme")


@pytest.fixture
def rita(acme):
    return factories.requester(username="rita", email="rita@acme.example", organization=acme)


@pytest.fixture
def mailbox(db):
    team = factories.TeamFactory(name="Service Desk")
    return Mailbox.objects.create(name="Desk", address="desk@itsm.example", host="127.0.0.1", username="desk",
                                  team=team)


def only_incident():
    assert Incident.objects.count() == 1
    return Incident.objects.get()


def test_a_new_mail_becomes_an_incident_of_the_sender(mailbox, rita, acme):
    message = ingest.ingest(mailbox, raw(subject="Printer on 3F is jammed", body="It jams on every page."))

    incident = only_incident()
    assert message.outcome == Outcome.CREATED and message.ticket_id == incident.pk
    assert (incident.title, incident.channel, incident.requester, incident.organization) == (
        "Printer on 3F is jammed", Channel.EMAIL, rita, acme)
    assert "It jams on every page." in incident.description
    assert incident.team == mailbox.team
    assert AuditEntry.objects.filter(ticket=incident, action="created").exists()
    assert message.raw is None  # kept only for held mail


def test_the_sender_is_told_in_a_mail_threaded_under_theirs(mailbox, rita):
    message = ingest.ingest(mailbox, raw(message_id="<first@client.example>"))
    incident = only_incident()

    ack = Outbox.objects.get(recipient="rita@acme.example")
    assert incident.number in ack.subject and incident.number in ack.body
    assert ack.headers["In-Reply-To"] == "<first@client.example>"
    assert ack.headers["References"].startswith("<first@client.example>")
    assert ack.reply_to == "desk@itsm.example"
    sent = outbox_message(ack).message()
    assert sent["Message-ID"] == ack.message_id and incident.number in ack.message_id
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent["Reply-To"] == "desk@itsm.example"
    assert message.outcome == Outcome.CREATED


def test_the_same_message_twice_makes_one_ticket(mailbox, rita):
    data = raw(message_id="<once@client.example>")
    first = ingest.ingest(mailbox, data)
    second = ingest.ingest(mailbox, data)
    assert first.pk == second.pk
    assert Incident.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_a_message_without_message_id_is_known_by_its_bytes(mailbox, rita):
    data = raw().replace(b"Message-ID:", b"X-Old-ID:")
    assert ingest.message_key(data).startswith("sha256:")
    ingest.ingest(mailbox, data)
    ingest.ingest(mailbox, data)
    assert Incident.objects.count() == 1


def test_assignment_rules_apply_before_the_mailbox_team(mailbox, rita):
    from core.models import AssignmentRule

    network = factories.TeamFactory(name="Network")
    AssignmentRule.objects.create(name="Mail to network", team=network, order=1,
                                  conditions={"kind": ["incident"], "channel": ["email"]})
    ingest.ingest(mailbox, raw())
    assert only_incident().team == network


def test_a_reply_by_header_is_a_public_comment_without_the_quoted_history(mailbox, rita):
    ingest.ingest(mailbox, raw(message_id="<first@client.example>"))
    incident = only_incident()
    body = "Still jammed after the restart.\n\nOn Mon, 1 Dec 2026, Desk <desk@itsm.example> wrote:\n> old text\n"
    message = ingest.ingest(mailbox, raw(subject="Re: something else", body=body,
                                         in_reply_to="<first@client.example>",
                                         references="<first@client.example>"))
    assert message.outcome == Outcome.REPLIED and message.ticket_id == incident.pk
    comment = Comment.objects.get(pk=message.comment_id)
    assert comment.body == "Still jammed after the restart." and not comment.is_internal
    assert comment.author == rita
    assert Incident.objects.count() == 1


def test_a_reply_to_our_notification_threads_by_our_message_id(mailbox, rita):
    ingest.ingest(mailbox, raw())
    incident = only_incident()
    ack = Outbox.objects.get(recipient=rita.email)
    message = ingest.ingest(mailbox, raw(subject="Re: thanks", body="Thanks!", in_reply_to=ack.message_id))
    assert (message.outcome, message.ticket_id) == (Outcome.REPLIED, incident.pk)


def test_a_reply_by_subject_alone_finds_the_ticket(mailbox, rita):
    incident = factories.incident(actor=rita, requester=rita, title="VPN drops")
    message = ingest.ingest(mailbox, raw(subject=f"回复: [{incident.number}] VPN drops", body="又断了"))
    assert (message.outcome, message.ticket_id) == (Outcome.REPLIED, incident.pk)
    assert Comment.objects.get(pk=message.comment_id).body == "又断了"


def test_a_stranger_naming_a_ticket_number_gets_a_ticket_of_their_own(mailbox, rita):
    incident = factories.incident(actor=rita, requester=rita, title="VPN drops")
    factories.requester(username="oscar", email="oscar@other.example",
                        organization=factories.OrganizationFactory(name="Other"))
    message = ingest.ingest(mailbox, raw(sender="oscar@other.example", subject=f"Re: [{incident.number}]"))
    assert message.outcome == Outcome.CREATED and message.ticket_id != incident.pk
    assert not Comment.objects.filter(ticket=incident).exists()


def test_a_reply_to_a_resolved_ticket_reopens_it(mailbox, rita):
    incident = factories.incident(actor=rita, requester=rita)
    agent = factories.agent(username="alice")
    incident_services.transition_incident(incident, agent, workflow.RESOLVED, {
        "resolution_code": "solved_permanently", "resolution_notes": "Replaced the roller."})
    message = ingest.ingest(mailbox, raw(subject=f"Re: [{incident.number}]", body="It is not fixed."))
    incident.refresh_from_db()
    assert message.outcome == Outcome.REOPENED and incident.state == workflow.IN_PROGRESS
    assert incident.reopen_count == 1


def test_a_reply_to_a_closed_ticket_opens_a_new_one_linked_to_it(mailbox, rita):
    incident = factories.incident(actor=rita, requester=rita)
    agent = factories.agent(username="alice")
    incident_services.transition_incident(incident, agent, workflow.RESOLVED, {
        "resolution_code": "solved_permanently", "resolution_notes": "Replaced the roller."})
    incident_services.transition_incident(Incident.objects.get(pk=incident.pk), rita, workflow.CLOSED)
    message = ingest.ingest(mailbox, raw(subject=f"Re: [{incident.number}]", body="Jammed again."))
    assert message.outcome == Outcome.FOLLOW_UP
    new = Incident.objects.get(pk=message.ticket_id)
    assert new.pk != incident.pk and new.state == workflow.NEW
    assert TicketLink.objects.filter(source=new, target=incident).exists()
    assert Incident.objects.get(pk=incident.pk).state == workflow.CLOSED


@pytest.mark.parametrize("headers", [{"Auto-Submitted": "auto-replied"}, {"X-Autoreply": "yes"},
                                     {"Precedence": "bulk"}])
def test_auto_replies_never_make_tickets_nor_get_mail_back(mailbox, rita, headers):
    message = ingest.ingest(mailbox, raw(subject="Out of office", headers=headers))
    assert message.outcome == Outcome.AUTO_REPLY
    assert not Ticket.objects.exists() and not Outbox.objects.exists()


def test_a_bounce_is_ignored(mailbox, rita):
    message = ingest.ingest(mailbox, raw(sender="MAILER-DAEMON@mx.acme.example", subject="Undelivered Mail",
                                         headers={"X-Failed-Recipients": "nobody@acme.example"}))
    assert message.outcome == Outcome.BOUNCE and not Ticket.objects.exists()


def test_our_own_mail_is_never_read_back(mailbox, rita):
    ingest.ingest(mailbox, raw())
    ack = Outbox.objects.get(recipient=rita.email)
    ours = bytes(outbox_message(ack).message())
    message = ingest.ingest(mailbox, ours)
    assert message.outcome == Outcome.OWN and Ticket.objects.count() == 1
    from_desk = ingest.ingest(mailbox, raw(sender="desk@itsm.example", subject="Loop?"))
    assert from_desk.outcome == Outcome.OWN


def test_a_mail_loop_is_stopped_by_the_per_sender_limit(mailbox, rita):
    mailbox.senders_per_hour = 3
    mailbox.save()
    outcomes = [ingest.ingest(mailbox, raw(subject=f"Loop {n}")).outcome for n in range(6)]
    assert outcomes == [Outcome.CREATED] * 3 + [Outcome.RATE_LIMITED] * 3
    held = InboundMessage.objects.filter(outcome=Outcome.RATE_LIMITED).first()
    assert held.raw is not None  # kept whole for an admin
    InboundMessage.objects.update(received_at=timezone.now() - timedelta(hours=2))
    assert ingest.ingest(mailbox, raw(subject="Later")).outcome == Outcome.CREATED


def test_an_unknown_sender_is_held_unless_the_mailbox_creates_requesters(mailbox, acme):
    held = ingest.ingest(mailbox, raw(sender="Li Lei <li.lei@acme.example>"))
    assert held.outcome == Outcome.UNKNOWN_SENDER and held.raw is not None
    assert not Ticket.objects.exists()

    OrganizationDomain.objects.create(domain="ACME.example", organization=acme)
    mailbox.create_requesters = True
    mailbox.save()
    handled = ingest.retry(held, factories.admin(username="root"))
    assert handled.outcome == Outcome.CREATED and handled.raw is None
    user = get_user_model().objects.get(email="li.lei@acme.example")
    assert (user.first_name, user.last_name, user.profile.organization) == ("Li", "Lei", acme)
    assert not user.has_usable_password()
    assert only_incident().organization == acme and only_incident().requester == user


def test_a_sender_without_an_organization_gets_the_one_of_their_domain(mailbox, acme):
    factories.requester(username="nemo", email="nemo@acme.example")
    OrganizationDomain.objects.create(domain="acme.example", organization=acme)
    ingest.ingest(mailbox, raw(sender="nemo@acme.example"))
    assert only_incident().organization == acme


def test_attachments_arrive_through_the_upload_checks(mailbox, rita):
    message = ingest.ingest(mailbox, raw(attachments=[("report.pdf", PDF, "application/pdf"),
                                                      ("tool.exe", b"MZ\x90\x00" + b"\x00" * 64,
                                                       "application/octet-stream")]))
    incident = only_incident()
    kept = Attachment.objects.get(ticket=incident)
    assert (kept.filename, kept.content_type) == ("report.pdf", "application/pdf")
    assert "tool.exe" in message.detail
    note = Comment.objects.get(ticket=incident, is_internal=True)
    assert "tool.exe" in note.body


def test_a_gbk_mail_arrives_readable(mailbox, rita):
    body = "打印机卡纸了，请尽快处理。".encode("gbk")
    data = (b"From: rita@acme.example\r\nTo: desk@itsm.example\r\nMessage-ID: <gbk@client.example>\r\n"
            b"Subject: =?GBK?B?" + __import__("base64").b64encode("打印机故障".encode("gbk")) + b"?=\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=GB2312\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n")
    ingest.ingest(mailbox, data)
    incident = only_incident()
    assert incident.title == "打印机故障"
    assert "打印机卡纸了，请尽快处理。" in incident.description


def test_an_html_only_mail_becomes_text_and_keeps_its_sanitised_html(mailbox, rita):
    html = "<p>Screen is <b>black</b></p><script>alert(1)</script><p>since 9:00</p>"
    message = ingest.ingest(mailbox, raw(body=None, html=html))
    incident = only_incident()
    assert "Screen is black" in incident.description and "since 9:00" in incident.description
    assert "<b>black</b>" in message.html and "script" not in message.html


def test_unreadable_mail_is_kept_whole_and_can_be_discarded(mailbox):
    data = b"\x00\x01garbage without headers"
    message = ingest.ingest(mailbox, data)
    assert message.outcome == Outcome.FAILED and bytes(message.raw) == data and message.detail
    discarded = ingest.discard(message, factories.admin(username="root"))
    assert discarded.outcome == Outcome.DISCARDED and discarded.raw is None
    assert ingest.ingest(mailbox, data).outcome == Outcome.DISCARDED  # never comes back


def test_a_huge_message_is_held_not_dropped(mailbox, rita, settings):
    settings.INBOUND_MAIL_MAX_BYTES = 1000
    message = ingest.ingest(mailbox, raw(body="x" * 5000))
    assert message.outcome == Outcome.FAILED and len(bytes(message.raw)) > 5000
    assert message.sender == "rita@acme.example"


def test_an_unexpected_error_holds_the_message(mailbox, rita, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(ingest, "_create", boom)
    message = ingest.ingest(mailbox, raw())
    assert message.outcome == Outcome.FAILED and "database hiccup" in message.detail
    assert not Ticket.objects.exists()
    monkeypatch.undo()
    assert ingest.retry(message, None).outcome == Outcome.CREATED
    assert Ticket.objects.count() == 1


def test_only_held_messages_are_retried_or_discarded(mailbox, rita):
    from django.core.exceptions import ValidationError

    message = ingest.ingest(mailbox, raw())
    with pytest.raises(ValidationError):
        ingest.retry(message, None)
    with pytest.raises(ValidationError):
        ingest.discard(message, None)


def test_a_request_mailbox_orders_its_catalogue_item(rita, acme):
    item = offered_item(acme, name="General request")
    mailbox = Mailbox.objects.create(name="Requests", address="ask@itsm.example", host="h", username="u",
                                     kind="request", catalog_item=item)
    message = ingest.ingest(mailbox, raw(subject="Need a second monitor"))
    request = ServiceRequest.objects.get(pk=message.ticket_id)
    assert (request.catalog_item, request.channel, request.requester, request.title) == (
        item, Channel.EMAIL, rita, "Need a second monitor")
