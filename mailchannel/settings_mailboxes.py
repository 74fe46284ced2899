"""Mailboxes from the environment. Each INBOUND_MAIL_URLS entry is a mailbox row (from_settings, named
"user@host/folder"), created or updated at every poll; rows whose entry is gone are deactivated.

    imaps://user:password@host:993/INBOX?kind=incident&team=Service%20Desk&service=E-mail&organization=Acme
        &address=desk@example.com&create_requesters=1&processed=Done&senders_per_hour=20&item=New%20laptop

User, password and folder are URL-decoded. An entry that cannot be read (an unknown scheme: POP3 is not supported)
is logged and skipped; one naming an unknown team, service, organization or catalogue item is logged and saved
inactive, with the reason in last_error. Nothing here raises: the beat keeps running.
"""

import logging
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .models import Mailbox, Protocol, TargetKind

logger = logging.getLogger(__name__)

OPTIONS = {"kind", "team", "service", "organization", "address", "create_requesters", "processed",
           "senders_per_hour", "item"}
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


class EntryError(ValueError):
    """The entry cannot become a mailbox at all."""


def redacted(url):
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)).geturl()


def parse(url):
    """(values for the Mailbox row, [problems]) for one entry; EntryError when it is no IMAP URL at all."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in Protocol.values:
        raise EntryError(_("unsupported scheme %(scheme)s: use imaps:// or imap:// (POP3 is not supported)") % {
            "scheme": f"{scheme}://" if scheme else "''"})
    try:
        port = parts.port
    except ValueError as exc:
        raise EntryError(_("the port is not a number: %(error)s") % {"error": exc}) from exc
    if not parts.hostname or not parts.username:
        raise EntryError(_("a user and a server are needed: imaps://user:password@host/INBOX"))
    username, host = unquote(parts.username), parts.hostname
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    problems = [_("unknown option %(option)s") % {"option": key} for key in sorted(set(query) - OPTIONS)]
    values = {
        "name": f"{username}@{host}/{folder}"[:100], "protocol": scheme, "host": host, "port": port,
        "username": username, "password": unquote(parts.password or ""), "folder": folder,
        "processed_folder": query.get("processed", ""), "address": query.get("address", ""),
        "kind": query.get("kind", TargetKind.INCIDENT), "create_requesters": False, "senders_per_hour": 20,
        "team": None, "service": None, "organization": None, "catalog_item": None,
    }
    if not values["address"]:
        problems.append(_("address= is needed: the address people write to"))
    if values["kind"] not in TargetKind.values:
        problems.append(_("kind must be one of %(kinds)s") % {"kinds": ", ".join(TargetKind.values)})
    flag = query.get("create_requesters", "").lower()
    if flag not in TRUE | FALSE:
        problems.append(_("create_requesters must be 1 or 0"))
    values["create_requesters"] = flag in TRUE
    if "senders_per_hour" in query:
        if query["senders_per_hour"].isdigit():
            values["senders_per_hour"] = int(query["senders_per_hour"])
        else:
            problems.append(_("senders_per_hour must be a whole number"))
    for option, field in (("team", "team"), ("service", "service"), ("organization", "organization"),
                          ("item", "catalog_item")):
        if query.get(option):
            values[field] = _named(field, query[option], problems)
    return values, problems


def _named(field, name, problems):
    model = Mailbox._meta.get_field(field).related_model
    found = list(model.objects.filter(name=name)[:2])
    if len(found) == 1:
        return found[0]
    what = {"what": model._meta.verbose_name, "name": name}
    problems.append(_("more than one %(what)s is named %(name)s") % what if found
                    else _("no %(what)s is named %(name)s") % what)
    return None


def sync_from_settings():
    """Make the mailbox rows match INBOUND_MAIL_URLS; returns the names of the entries that became rows."""
    names = []
    for url in settings.INBOUND_MAIL_URLS:
        try:
            values, problems = parse(url)
        except EntryError as exc:
            logger.error("INBOUND_MAIL_URLS: %s is skipped: %s", redacted(url), exc)
            continue
        if values["name"] in names:
            logger.error("INBOUND_MAIL_URLS: %s is listed twice; the first entry is used", values["name"])
            continue
        if _save(values, problems):
            names.append(values["name"])
    stale = Mailbox.objects.filter(from_settings=True, active=True)
    (stale.exclude(name__in=names) if names else stale).update(active=False)
    return names


def _save(values, problems):
    name = values["name"]
    row = Mailbox.objects.filter(name=name).first()
    if row is not None and not row.from_settings:
        logger.error("INBOUND_MAIL_URLS: %s is skipped: a mailbox of that name is configured in the UI", name)
        return False
    if problems:
        error = _("INBOUND_MAIL_URLS: %(problems)s") % {"problems": "; ".join(problems)}
        logger.error("INBOUND_MAIL_URLS: %s is inactive: %s", name, "; ".join(problems))
        values = {**values, "active": False, "last_error": error}
    elif row is None or not row.active:
        values = {**values, "active": True, "last_error": ""}
    if row is None:
        Mailbox.objects.create(from_settings=True, **values)
        return True
    changed = [field for field, value in values.items() if _stored(row, field) != getattr(value, "pk", value)]
    if changed:
        for field in changed:
            setattr(row, field, values[field])
        row.save(update_fields=changed)
    return True


def _stored(row, field):
    return getattr(row, Mailbox._meta.get_field(field).attname)  # a foreign key's id, without loading it
