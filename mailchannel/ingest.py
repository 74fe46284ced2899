"""One message read from a mailbox -> a ticket, a reply on one, or a recorded reason why not.

Each message is handled once: its key (the Message-ID, else a digest) is recorded in the transaction that handles
it, and a message already recorded is returned as it is. What cannot be handled (unparsable, too large, an unknown
sender, a sender over the rate limit, an unexpected error) is kept whole in the held-mail list, where an admin
retries or discards it. Auto-replies, bounces and our own mail are recorded and ignored: they never make a ticket
and never get a notification back.
"""

import hashlib
import logging
import re
from datetime import timedelta
from email.parser import BytesHeaderParser
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import hooks, mail_threading, notifications, permissions
from core import services as core_services
from core.notification_rules import ticket_link
from core.models import Channel, LinkKind, Profile, Ticket
from core.workflow import TransitionError

from . import threads
from .models import HELD_OUTCOMES, TICKET_OUTCOMES, InboundMessage, OrganizationDomain, Outcome
from .parsing import MailParseError, parse

log = logging.getLogger(__name__)
SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|vs|回复|答复|回覆|转发|轉寄|轉發)\s*[:：]\s*)+", re.IGNORECASE)
MAX_KEY = 255


def _headers(raw):
    return BytesHeaderParser().parsebytes(raw[:256 * 1024], headersonly=True)


def message_key(raw):
    """The Message-ID (a digest of it when too long), or a digest of the whole message when it has none."""
    message_id = str(_headers(raw).get("Message-ID", "") or "").strip()
    if message_id and len(message_id) <= MAX_KEY:
        return message_id
    if message_id:
        return "id-sha256:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def ingest(mailbox, raw):
    """Handle one message (see the module's docstring); returns its InboundMessage, after commit."""
    key = message_key(raw)
    existing = InboundMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _handle(mailbox, raw, key)
    except IntegrityError:  # the same message handled meanwhile by another poll
        existing = InboundMessage.objects.filter(key=key).first()
        if existing is not None:
            return existing
        return _hold(mailbox, raw, key, Outcome.FAILED, _("The message could not be stored."))
    except Exception as exc:  # nothing is dropped: the message waits in the held-mail list
        log.exception("inbound mail %s could not be handled", key)
        return _hold(mailbox, raw, key, Outcome.FAILED, f"{type(exc).__name__}: {exc}"[:2000])


def retry(message, actor):
    """Handle a held message again from its stored bytes, without the rate limit; returns the message."""
    if message.outcome not in HELD_OUTCOMES or message.raw is None:
        raise ValidationError({"message": [_("Only held messages can be retried.")]})
    raw = bytes(message.raw)
    try:
        with transaction.atomic():
            locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
            if locked.outcome not in HELD_OUTCOMES:
                raise ValidationError({"message": [_("Only held messages can be retried.")]})
            handled = _handle(locked.mailbox, raw, locked.key, existing=locked, rate_limit=False)
            handled.handled_by = actor
            handled.save(update_fields=["handled_by"])
            return handled
    except ValidationError:
        raise
    except Exception as exc:
        log.exception("retrying inbound mail %s failed", message.key)
        InboundMessage.objects.filter(pk=message.pk).update(
            outcome=Outcome.FAILED, detail=f"{type(exc).__name__}: {exc}"[:2000], handled_by=actor)
        message.refresh_from_db()
        return message


@transaction.atomic
def discard(message, actor):
    """Drop a held message for good: its record stays (the key keeps it from coming back), its bytes go."""
    locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if locked.outcome not in HELD_OUTCOMES:
        raise ValidationError({"message": [_("Only held messages can be discarded.")]})
    locked.outcome, locked.raw, locked.handled_by = Outcome.DISCARDED, None, actor
    locked.save(update_fields=["outcome", "raw", "handled_by"])
    return locked


# --- handling ----------------------------------------------------------------------------------

def _hold(mailbox, raw, key, outcome, detail):
    headers = _headers(raw)
    sender = parseaddr(str(headers.get("From", "") or ""))[1].lower()[:255]
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                key=key, mailbox=mailbox, message_id=str(headers.get("Message-ID", "") or "")[:998],
                sender=sender, subject=str(headers.get("Subject", "") or "")[:998], outcome=outcome,
                detail=detail, raw=raw, size=len(raw))
    except IntegrityError:
        return InboundMessage.objects.get(key=key)


def _record(mailbox, raw, key, existing, **values):
    """Write the message's record (a new row, or the held row being retried)."""
    values.setdefault("detail", "")
    keep_raw = values["outcome"] in HELD_OUTCOMES
    values.update(raw=raw if keep_raw else None, size=len(raw))
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        return existing
    return InboundMessage.objects.create(key=key, mailbox=mailbox, **values)


def _handle(mailbox, raw, key, existing=None, rate_limit=True):
    if len(raw) > settings.INBOUND_MAIL_MAX_BYTES:
        headers = _headers(raw)
        return _record(mailbox, raw, key, existing, outcome=Outcome.FAILED,
                       sender=parseaddr(str(headers.get("From", "") or ""))[1].lower()[:255],
                       subject=str(headers.get("Subject", "") or "")[:998],
                       message_id=str(headers.get("Message-ID", "") or "")[:998],
                       detail=_("The message is too large (%(size)d bytes; at most %(max)d).") % {
                           "size": len(raw), "max": settings.INBOUND_MAIL_MAX_BYTES})
    try:
        mail = parse(raw)
    except MailParseError as exc:
        headers = _headers(raw)
        return _record(mailbox, raw, key, existing, outcome=Outcome.FAILED,
                       sender=parseaddr(str(headers.get("From", "") or ""))[1].lower()[:255],
                       subject=str(headers.get("Subject", "") or "")[:998],
                       message_id=str(headers.get("Message-ID", "") or "")[:998],
                       detail=_("The message could not be read: %(reason)s") % {"reason": exc})
    record = {"sender": mail.sender[:255], "subject": mail.subject[:998], "message_id": mail.message_id[:998],
              "html": mail.html}
    ignored = _ignored(mail, mailbox)
    if ignored:
        return _record(mailbox, raw, key, existing, outcome=ignored, html="", **{
            k: v for k, v in record.items() if k != "html"})
    if rate_limit and _over_limit(mailbox, mail.sender):
        return _record(mailbox, raw, key, existing, outcome=Outcome.RATE_LIMITED, **record, detail=_(
            "More than %(count)d messages from this sender within an hour.") % {"count": mailbox.senders_per_hour})
    user = _sender_user(mailbox, mail)
    if user is None:
        return _record(mailbox, raw, key, existing, outcome=Outcome.UNKNOWN_SENDER, **record, detail=_(
            "No account has this address, and this mailbox does not create requesters."))
    ticket = _thread_ticket(mail, user)
    kind = hooks.ticket_kinds[ticket.kind] if ticket is not None else None
    if ticket is None or ticket.state in kind.workflow.closed_states:
        new, notes = _create(mailbox, mail, user, follows=ticket)
        handled = _record(mailbox, raw, key, existing, outcome=Outcome.FOLLOW_UP if ticket else Outcome.CREATED,
                          ticket=new, **record, detail=notes)
        if not mail.no_auto_response:  # after the record: the acknowledgement threads under the sender's mail
            _acknowledge(new, user, follows=ticket)
        return handled
    comment, notes = _reply(ticket, mail, user)
    outcome = Outcome.REPLIED
    if ticket.state in kind.workflow.resolved_states:
        reopened = _reopen(ticket, user)
        outcome = Outcome.REOPENED if reopened is True else outcome
        notes = "\n".join(filter(None, [notes, reopened if isinstance(reopened, str) else ""]))
    return _record(mailbox, raw, key, existing, outcome=outcome, ticket=ticket, comment=comment, **record,
                   detail=notes)


def _our_addresses(mailbox):
    ours = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    if mailbox is not None and mailbox.address:
        ours.add(mailbox.address.lower())
    return ours


def _ignored(mail, mailbox):
    """The outcome of mail that must never make a ticket, or None."""
    if mail_threading.is_ours(mail.message_id) or mail.sender in _our_addresses(mailbox):
        return Outcome.OWN
    if mail.bounce:
        return Outcome.BOUNCE
    if mail.auto_reply:
        return Outcome.AUTO_REPLY
    return None


def _over_limit(mailbox, sender):
    limit = mailbox.senders_per_hour if mailbox is not None else 20
    since = timezone.now() - timedelta(hours=1)
    return InboundMessage.objects.filter(sender=sender, received_at__gte=since,
                                         outcome__in=TICKET_OUTCOMES).count() >= limit


# --- who wrote -----------------------------------------------------------------------------------

def _domain_organization(address):
    domain = address.rpartition("@")[2].lower()
    row = OrganizationDomain.objects.filter(domain=domain).select_related("organization").first()
    return row.organization if row else None


def _sender_user(mailbox, mail):
    """The active account with the sender's address, or a new requester when the mailbox allows it."""
    if not mail.sender:
        return None
    User = get_user_model()
    user = User.objects.filter(email__iexact=mail.sender, is_active=True).select_related("profile").order_by(
        "pk").first()
    if user is not None or mailbox is None or not mailbox.create_requesters:
        return user
    username = base = mail.sender[:150]
    suffix = 1
    while User.objects.filter(username=username).exists():
        suffix += 1
        username = f"{base[:140]}-{suffix}"
    first, _space, last = (mail.sender_name or "").strip().partition(" ")
    user = User(username=username, email=mail.sender, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=permissions.REQUESTER))
    organization = mailbox.organization or _domain_organization(mail.sender)
    Profile.objects.update_or_create(user=user, defaults={"organization": organization})
    return User.objects.select_related("profile").get(pk=user.pk)


# --- which ticket --------------------------------------------------------------------------------

def _subject_numbers(subject):
    prefixes = "|".join(re.escape(kind.prefix) for kind in hooks.ticket_kinds.values())
    return re.findall(rf"\b((?:{prefixes})\d+)\b", subject or "") if prefixes else []


def _thread_ticket(mail, user):
    """The ticket this mail answers, by its headers and then by a ticket number in the subject, when the sender
    may reply on it (anyone else's mail with a ticket number in the subject becomes a ticket of their own)."""
    candidates = threads.referenced_ticket_ids([*mail.in_reply_to, *reversed(mail.references)])
    numbers = _subject_numbers(mail.subject)
    if numbers:
        by_number = dict(Ticket.objects.filter(number__in=numbers).values_list("number", "pk"))
        candidates += [by_number[n] for n in numbers if n in by_number and by_number[n] not in candidates]
    for pk in candidates:
        ticket = Ticket.objects.filter(pk=pk).first()
        if ticket is not None and ticket.kind in hooks.ticket_kinds and permissions.can_comment(user, ticket):
            return hooks.ticket_kinds[ticket.kind].model.objects.get(pk=pk)
    return None


# --- writes ------------------------------------------------------------------------------------------

def _title(subject):
    title = SUBJECT_PREFIX.sub("", subject or "").strip()
    return (title or _("(no subject)"))[:255]


def _organization(mailbox, user):
    profile = getattr(user, "profile", None)
    return (mailbox.organization if mailbox and mailbox.organization_id else None) or (
        profile.organization if profile and profile.organization_id else None) or _domain_organization(user.email)


def _service(mailbox, organization):
    if mailbox is None or not mailbox.service_id:
        return None
    org_id = organization.pk if organization else None
    offered = all(check(mailbox.service_id, org_id) for check in hooks.service_offered)
    return mailbox.service if offered else None


def _create(mailbox, mail, user, follows=None):
    """A new ticket of the mailbox's kind from this mail, through the kind's own create service (as the portal
    does); returns (ticket, notes)."""
    kind_key = mailbox.kind if mailbox is not None else "incident"
    kind = hooks.ticket_kinds[kind_key]
    organization = _organization(mailbox, user)
    data = {"title": _title(mail.subject), "description": mail.text.strip() or _("(empty message)"),
            "channel": Channel.EMAIL, "requester": user}
    if organization is not None:
        data["organization"] = organization
    if kind_key == "request":
        data.update(catalog_item=mailbox.catalog_item, variables={})
    else:
        service = _service(mailbox, organization)
        if service is not None:
            data["service"] = service
    ticket = kind.create_service(user, data)
    if not ticket.team_id and mailbox is not None and mailbox.team_id:
        ticket = core_services.assign(ticket, None, team=mailbox.team)
    if follows is not None:
        core_services.add_link(ticket, None, follows, LinkKind.RELATED)
    return ticket, _attach(ticket, user, mail)


def _reply(ticket, mail, user):
    names = ", ".join(a.filename for a in mail.attachments)
    body = mail.reply_text.strip() or (_("(attachments: %(names)s)") % {"names": names} if names else "") or _(
        "(empty message)")
    comment = core_services.add_comment(ticket, user, body)
    return comment, _attach(ticket, user, mail)


def _attach(ticket, user, mail):
    """Each attachment through the same checks as an upload; refused ones are named in a work note."""
    refused = []
    for part in mail.attachments:
        upload = SimpleUploadedFile(part.filename or "attachment", part.data, part.content_type)
        try:
            with transaction.atomic():
                core_services.add_attachment(ticket, user, upload)
        except (ValidationError, core_services.PermissionDeniedError) as exc:
            reason = "; ".join(getattr(exc, "messages", None) or [str(exc)])
            refused.append(f"{part.filename}: {reason}")
    if refused:
        text = _("Attachments of the e-mail that were not kept:") + "\n" + "\n".join(refused)
        core_services.add_comment(ticket, None, text, internal=True)
    return "\n".join(refused)


def _reopen(ticket, user):
    """Move a resolved ticket back to work (its workflow's requester move out of resolved); True, or why not."""
    kind = hooks.ticket_kinds[ticket.kind]
    ticket = kind.model.objects.get(pk=ticket.pk)
    moves = kind.workflow.transitions.get(ticket.state, {})
    target = next((to for to, move in moves.items() if to in kind.workflow.open_states), None)
    if target is None:
        return _("This ticket cannot be reopened.")
    try:
        with transaction.atomic():
            kind.transition_service(ticket, user, target, data={})
    except (TransitionError, ValidationError, core_services.PermissionDeniedError) as exc:
        return _("The reply could not reopen the ticket: %(reason)s") % {"reason": exc}
    return True


def _acknowledge(ticket, user, follows=None):
    """Tell the sender their mail became a ticket, in their language, threaded under their mail."""
    if not user.email:
        return
    profile = getattr(user, "profile", None)
    with translation.override((profile.language if profile else "") or settings.LANGUAGE_CODE):
        subject = f"[{ticket.number}] {ticket.title}"
        lines = [_("We received your message and recorded it as %(number)s.") % {"number": ticket.number}]
        if follows is not None:
            lines.append(_("%(old)s is already closed, so this is a new ticket linked to it.") % {
                "old": follows.number})
        lines.append(_("Reply to this e-mail to add to it; keep %(number)s in the subject.") % {
            "number": ticket.number})
        if permissions.is_agent(user) or ticket.kind not in hooks.requester_hidden_kinds():  # their own ticket
            lines.append(_("Open the ticket: %(url)s") % {"url": ticket_link(ticket)})
        notifications.queue_email([user.email], subject, "\n\n".join(lines), ticket)

