"""A mail to the desk becomes a ticket; the agent replies in the UI; the reply reaches the sender's mailbox with
threading headers; the sender's answer lands on the same ticket. Real IMAP (Dovecot) and real SMTP (aiosmtpd,
delivering into the recipient's Dovecot mailbox)."""

import email
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from mailchannel import polling
from mailchannel.models import Mailbox
from tests.mailchannel.mail import message
from tests.support import factories
from tests.support.browser import login
from tests.support.imap import clear, deliver, read_all
from tests.support.ports import reserved_port


class IntoImap:
    """An SMTP server that puts each message into the Dovecot mailbox of each recipient's local part."""

    def __init__(self, server):
        self.server = server

    async def handle_DATA(self, server, session, envelope):
        for recipient in envelope.rcpt_tos:
            deliver(self.server, recipient.split("@")[0], envelope.original_content)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_into_imap(imap_server):
    with reserved_port() as port:
        controller = Controller(IntoImap(imap_server), hostname="127.0.0.1", port=port)
        controller.start()
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                               EMAIL_PORT=port, EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_HOST_USER="",
                               EMAIL_HOST_PASSWORD="", EMAIL_TIMEOUT=5, DEFAULT_FROM_EMAIL="itsm@itsm.example",
                               MAIL_MESSAGE_ID_DOMAIN="itsm.example"):
            yield
        controller.stop()


@pytest.mark.django_db(transaction=True)
def test_mail_to_ticket_reply_and_answer_in_one_thread(page, live_server, imap_server, smtp_into_imap):
    host, port = imap_server
    for user in ("desk", "alice"):
        clear(imap_server, user)
    team = factories.TeamFactory(name="Service Desk")
    agent = factories.agent(username="wanda")
    team.members.add(agent)
    factories.requester(username="alice", email="alice@acme.example",
                        organization=factories.OrganizationFactory(name="Acme"))
    mailbox = Mailbox.objects.create(name="Desk", address="desk@itsm.example", protocol="imap", host=host,
                                     port=port, username="desk", password="secret", team=team)

    deliver(imap_server, "desk", bytes(message(sender="Alice <alice@acme.example>", subject="打印机卡纸",
                                               body="三楼的打印机每页都卡纸。",
                                               message_id="<first@acme.example>")))
    assert polling.poll_mailbox(mailbox)["handled"] == 1

    login(page, live_server, "wanda")
    page.goto(f"{live_server.url}/incidents/")
    page.click("text=打印机卡纸")
    page.wait_for_selector("text=三楼的打印机每页都卡纸。")
    number = page.inner_text("h1 .number").strip()
    page.fill("#reply-body", "We are sending a technician with a new roller.")
    page.click("button:has-text('Send reply')")
    page.wait_for_selector("text=We are sending a technician with a new roller.")
    page.screenshot(path="/tmp/ui-mail-ticket.png", full_page=True)

    received = [email.message_from_bytes(raw, policy=policy.default) for raw in read_all(imap_server, "alice")]
    replies = [m for m in received if "technician" in m.get_body(("plain",)).get_content()]
    assert len(replies) == 1, [m["Subject"] for m in received]
    reply = replies[0]
    assert number in reply["Subject"] and number in reply["Message-ID"]
    assert reply["In-Reply-To"] == "<first@acme.example>"
    assert "<first@acme.example>" in reply["References"]
    assert reply["Reply-To"] == "desk@itsm.example"

    answer = message(sender="alice@acme.example", subject=f"Re: {reply['Subject']}",
                     body=f"Thank you, the roller fixed it.\n\nOn Tue, Desk wrote:\n> {number}",
                     in_reply_to=reply["Message-ID"], references=f"<first@acme.example> {reply['Message-ID']}")
    deliver(imap_server, "desk", bytes(answer))
    assert polling.poll_mailbox(mailbox)["handled"] == 1
    page.reload()
    page.wait_for_selector("text=Thank you, the roller fixed it.")
    assert page.locator("text=On Tue, Desk wrote").count() == 0
    page.screenshot(path="/tmp/ui-mail-thread.png", full_page=True)
