"""The demo e-mail channel: the desk's mailbox (inactive: the demo has no mail server, so nothing polls), sender
domains, and a week of mail handled through the real ingest path on the simulated clock: new tickets in English
and in GBK-encoded Chinese, an HTML-only mail from a new sender who gets a requester account, a reply threaded under
the desk's answer, an ignored out-of-office reply and an unreadable message waiting in the held-mail list."""

import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from core import services as core_services
from core.models import Organization, Outbox, Team
from demo.catalogue import deliver_mail
from demo.clock import SimulatedClock
from mailchannel import ingest
from mailchannel.models import Mailbox, OrganizationDomain

DOMAINS = {"northwind.example": "Northwind Retail", "cityhospital.example": "City Hospital"}


def _mail(sender, subject, body=None, html=None, in_reply_to=None, headers=None):
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, "servicedesk@example.com", subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = make_msgid(domain="mail.example.com")
    if in_reply_to:
        mail["In-Reply-To"] = mail["References"] = in_reply_to
    for name, value in (headers or {}).items():
        mail[name] = value
    if body is not None:
        mail.set_content(body)
    if html is not None:
        mail.add_alternative(html, subtype="html") if body is not None else mail.set_content(html, subtype="html")
    return bytes(mail)


def _gbk_mail(sender, subject, body):
    import base64

    encoded = base64.b64encode(subject.encode("gbk")).decode()
    return (f"From: {sender}\r\nTo: servicedesk@example.com\r\nSubject: =?GBK?B?{encoded}?=\r\n"
            f"Date: {format_datetime(timezone.now())}\r\nMessage-ID: {make_msgid(domain='mail.example.com')}\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=GB2312\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n").encode("ascii") + body.encode("gbk") + b"\r\n"


def seed(users):
    """Returns how many messages were handled."""
    for domain, name in DOMAINS.items():
        organization = Organization.objects.filter(name=name).first()
        if organization is not None:
            OrganizationDomain.objects.get_or_create(domain=domain, defaults={"organization": organization})
    mailbox, _created = Mailbox.objects.get_or_create(name="Service desk mailbox", defaults={
        "address": "servicedesk@example.com", "host": "mail.example.com", "username": "servicedesk",
        "active": False, "create_requesters": True, "team": Team.objects.filter(name="Service Desk").first()})
    start = timezone.now() - datetime.timedelta(days=6, hours=3)
    robin, wei, agent = users["requester"], users["requester.hospital"], users["agent"]
    handled = []
    with SimulatedClock(start) as clock:
        def at(hours, raw):
            clock.advance_to(start + datetime.timedelta(hours=hours))
            handled.append(ingest.ingest(mailbox, raw))
            return handled[-1]

        printer = at(1, _mail(f"Robin Meyer <{robin.email}>", "Printer on floor 3 prints blank pages",
                              "Every page comes out blank since this morning. The toner says 60 %.\n\nRobin"))
        clock.advance_to(start + datetime.timedelta(hours=2))
        ticket = printer.ticket
        core_services.add_comment(ticket, agent, "Could you print the test page from the printer's menu and "
                                                 "tell us whether it is blank too?")
        answer = Outbox.objects.filter(ticket_id=ticket.pk, recipient=robin.email).order_by("-id").first()
        at(3, _mail(f"Robin Meyer <{robin.email}>", f"Re: [{ticket.number}] {ticket.title}",
                    "The test page is blank as well.\n\nOn Tuesday, Service desk wrote:\n> Could you print the "
                    "test page from the printer's menu?", in_reply_to=answer.message_id if answer else None))
        at(26, _gbk_mail(f"{wei.email}", "门诊楼三层无线网络经常断开",
                         "门诊楼三层的无线网络每隔十分钟左右断开一次，挂号系统受影响。\n\n张伟"))
        at(30, _mail("Pat Kim <p.kim@northwind.example>", "Shop 12 till cannot reach the card terminal",
                     html="<p>Hello,</p><p>the till in <b>shop 12</b> shows <i>terminal offline</i> since the "
                          "store opened.</p><p>Pat</p>"))
        at(31, _mail("Pat Kim <p.kim@northwind.example>", "Automatic reply: Shop 12 till",
                     "I am out of the office until Monday.", headers={"Auto-Submitted": "auto-replied"}))
        at(50, b"Subject: scanned document\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\x00\x01")
        deliver_mail()  # the acknowledgements and the agent's answer went out that week
    return len(handled)
