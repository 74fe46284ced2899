"""Building test messages as a mail client would send them."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone


def message(sender="rita@acme.example", subject="Printer on 3F is jammed", body="It jams on every page.",
            to="desk@itsm.example", message_id=None, in_reply_to=None, references=None, headers=None,
            attachments=(), html=None):
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id or make_msgid(domain="client.example")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    if references:
        mail["References"] = references
    for name, value in (headers or {}).items():
        mail[name] = value
    if body is not None:
        mail.set_content(body)
    if html is not None:
        if body is None:
            mail.set_content(html, subtype="html")
        else:
            mail.add_alternative(html, subtype="html")
    for filename, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail


def raw(**kwargs):
    return bytes(message(**kwargs))
