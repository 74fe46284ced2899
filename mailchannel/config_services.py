"""Writes of mailboxes and sender domains (validated here for the UI and the API alike, one transaction each)."""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Mailbox, OrganizationDomain, TargetKind

MAILBOX_FIELDS = ("name", "active", "address", "protocol", "host", "port", "username", "folder",
                  "processed_folder", "kind", "catalog_item", "team", "service", "organization", "create_requesters",
                  "senders_per_hour")
# Sent to the mail server inside IMAP commands: a line break there would be a command of its own.
PROTOCOL_TEXT_FIELDS = ("host", "username", "password", "folder", "processed_folder")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
HOST = re.compile(r"(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*"
                  r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?|\[[0-9A-Fa-f:.]{2,45}\]")
DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9][a-z0-9-]{0,61}[a-z0-9]")
MAX_PORT = 65535
MAX_SENDERS_PER_HOUR = 100_000


def from_settings_message():
    return _("This mailbox comes from INBOUND_MAIL_URLS; change it there.")


def _mailbox_errors(mailbox, password):
    errors = {}
    for name in PROTOCOL_TEXT_FIELDS:
        value = password if name == "password" else getattr(mailbox, name)
        if value and CONTROL.search(value):
            errors[name] = [_("Line breaks and other control characters are not allowed.")]
    if "host" not in errors and not HOST.fullmatch(mailbox.host or ""):
        errors["host"] = [_("Enter a server name such as imap.example.com, or an address.")]
    if mailbox.port is not None and not 1 <= mailbox.port <= MAX_PORT:
        errors["port"] = [_("A port is a number from 1 to %(max)s.") % {"max": MAX_PORT}]
    if mailbox.senders_per_hour is not None and not 1 <= mailbox.senders_per_hour <= MAX_SENDERS_PER_HOUR:
        errors["senders_per_hour"] = [_("Enter a number from 1 to %(max)s.") % {"max": MAX_SENDERS_PER_HOUR}]
    if not (mailbox.folder or "").strip():
        errors["folder"] = [_("Name the folder to read, e.g. INBOX.")]
    item_error = _catalog_item_error(mailbox)
    if item_error:
        errors["catalog_item"] = [item_error]
    return errors


def _catalog_item_error(mailbox):
    item = mailbox.catalog_item
    if mailbox.kind != TargetKind.REQUEST:
        return _("Only a mailbox whose mail becomes service requests orders a catalogue item.") if item else ""
    if item is None:
        return _("Choose the catalogue item a new mail orders.")
    if not item.active:
        return _("“%(item)s” is not active.") % {"item": item.name}
    required = list(item.fields.filter(required=True).values_list("label", flat=True)[:5])
    if required:
        return _("“%(item)s” asks for answers a mail cannot give (%(fields)s): choose an item with no required "
                 "field.") % {"item": item.name, "fields": ", ".join(required)}
    return ""


def check_mailbox(mailbox, password=None):
    """Raise ValidationError({field: [...]}) if the mailbox (unsaved values) cannot be read as configured."""
    errors = {}
    try:
        mailbox.full_clean(exclude=("password",))
    except ValidationError as error:
        errors.update(error.message_dict)
    for name, messages in _mailbox_errors(mailbox, password).items():
        errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)


def _save_unique(instance, field, message):
    """Save; a row written by someone else in the meantime with the same unique value is a field error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ValidationError({field: [message]}) from None


def refuse_from_settings(mailbox):
    if mailbox is not None and mailbox.from_settings:
        raise ValidationError(from_settings_message())


@transaction.atomic
def save_mailbox(actor, data, mailbox=None):
    """Create (mailbox=None) or change a mailbox. The password is write-only: blank or absent keeps the stored
    one. Mailboxes from INBOUND_MAIL_URLS are not changed here."""
    refuse_from_settings(mailbox)
    mailbox = mailbox or Mailbox()
    for name in MAILBOX_FIELDS:
        if name in data:
            setattr(mailbox, name, data[name])
    password = data.get("password") or ""
    if password:
        mailbox.password = password
    check_mailbox(mailbox, password)
    _save_unique(mailbox, "name", _("A mailbox with this name already exists."))
    return mailbox


@transaction.atomic
def delete_mailbox(actor, mailbox):
    """Its messages stay in the log, without a mailbox (SET_NULL)."""
    refuse_from_settings(mailbox)
    mailbox.delete()


def normalize_domain(value):
    """'@Example.COM ' -> 'example.com'; an internationalised name becomes its ASCII (IDNA) form, as mail
    carries it. Raises ValidationError({"domain": [...]}) when it is not a domain name."""
    text = (value or "").strip().lstrip("@").rstrip(".").lower()
    try:
        ascii_name = text.encode("idna").decode("ascii") if text else ""
    except UnicodeError:
        ascii_name = ""
    if not DOMAIN.fullmatch(ascii_name):
        raise ValidationError({"domain": [_("Enter a domain name such as example.com.")]})
    return ascii_name


@transaction.atomic
def save_domain(actor, data, domain=None):
    domain = domain or OrganizationDomain()
    if "domain" in data:
        domain.domain = normalize_domain(data["domain"])
    if "organization" in data:
        domain.organization = data["organization"]
    taken = OrganizationDomain.objects.filter(domain=domain.domain).exclude(pk=domain.pk).exists()
    if taken:
        raise ValidationError({"domain": [_("“%(domain)s” is already mapped.") % {"domain": domain.domain}]})
    domain.full_clean(validate_unique=False)
    _save_unique(domain, "domain", _("“%(domain)s” is already mapped.") % {"domain": domain.domain})
    return domain


@transaction.atomic
def delete_domain(actor, domain):
    domain.delete()
