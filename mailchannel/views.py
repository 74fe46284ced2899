"""The e-mail channel's configuration pages (admins only): mailboxes, with "Test connection" and "Read now",
and the sender domains mapped to organizations."""

import logging
from importlib import import_module

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions, ui
from core.ticket_views import form_errors_from

from . import config_services, queries
from .forms import DomainForm, MailboxForm
from .models import Mailbox, OrganizationDomain

logger = logging.getLogger(__name__)


def peer(name):
    """A module of this app written beside the pages (imap, tasks, ingest), imported when a button needs it."""
    return import_module(f"{__package__}.{name}")


def nav(current, user):
    return {"mail_nav": current, "mail_admin": permissions.is_admin(user)}


def _refused(request, exc):
    messages.error(request, " ".join(exc.messages))
    return redirect("mailchannel:mailboxes")


@permissions.admin_required
def mailbox_list(request):
    return render(request, "mailchannel/mailbox_list.html", {
        "mailboxes": list(queries.mailboxes()), **nav("mailboxes", request.user)})


def _mailbox_form(request, mailbox=None):
    form = MailboxForm(request.POST if request.method == "POST" else None, instance=mailbox)
    if request.method == "POST":
        if form.is_valid():
            stored = Mailbox.objects.get(pk=mailbox.pk) if mailbox else None  # the form changed its instance
            try:
                saved = config_services.save_mailbox(request.user, form.values(), stored)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The mailbox “%(name)s” was saved.") % {"name": saved.name})
                return redirect("mailchannel:mailboxes")
    return render(request, "mailchannel/mailbox_form.html", {
        "form": form, "mailbox": mailbox, **nav("mailboxes", request.user)}, status=400 if form.errors else 200)


@permissions.admin_required
def mailbox_create(request):
    return _mailbox_form(request)


@permissions.admin_required
def mailbox_edit(request, pk):
    mailbox = get_object_or_404(queries.mailboxes(), pk=pk)
    if mailbox.from_settings:  # shown, never changed here
        if request.method == "POST":
            return _refused(request, ValidationError(config_services.from_settings_message()))
        return render(request, "mailchannel/mailbox_settings.html", {"mailbox": mailbox,
                                                                     **nav("mailboxes", request.user)})
    return _mailbox_form(request, mailbox)


@permissions.admin_required
def mailbox_delete(request, pk):
    mailbox = get_object_or_404(Mailbox, pk=pk)
    if request.method == "POST":
        try:
            config_services.delete_mailbox(request.user, mailbox)
        except ValidationError as exc:
            return _refused(request, exc)
        messages.success(request, _("The mailbox “%(name)s” was deleted; its messages stay in the log.")
                         % {"name": mailbox.name})
        return redirect("mailchannel:mailboxes")
    return render(request, "mailchannel/mailbox_delete.html", {
        "mailbox": mailbox, "message_count": mailbox.messages.count(), **nav("mailboxes", request.user)})


@permissions.admin_required
@require_POST
def mailbox_test(request, pk):
    mailbox = get_object_or_404(Mailbox, pk=pk)
    imap = peer("imap")
    try:
        imap.check_connection(mailbox)
    except (imap.MailboxError, OSError) as error:
        messages.error(request, _("“%(name)s” could not be read: %(error)s") % {"name": mailbox.name,
                                                                                "error": error})
    else:
        messages.success(request, _("“%(name)s” answered: its folder can be read.") % {"name": mailbox.name})
    return redirect(ui.safe_next(request, reverse("mailchannel:mailboxes")))


@permissions.admin_required
@require_POST
def read_now(request):
    try:
        peer("tasks").poll_mailboxes.delay()
    except Exception:  # noqa: BLE001 - the broker is down or refuses: say so, never a 500
        logger.exception("could not queue the mailbox poll")
        messages.error(request, _("The mailboxes could not be queued for reading: the task queue did not answer. "
                                  "The regular poll will read them when it is back."))
    else:
        messages.success(request, _("The mailboxes will be read in a moment."))
    return redirect("mailchannel:mailboxes")


def _domain_page(request, form, status=200):
    page = ui.keyset_page(queries.domains(), ("domain", "id"), after=request.GET.get("after", ""),
                          before=request.GET.get("before", ""))
    return render(request, "mailchannel/domain_list.html", {
        "page": page, "form": form, "query": ui.query_without(request, "after", "before"),
        **nav("domains", request.user)}, status=status)


@permissions.admin_required
def domain_list(request):
    if request.method != "POST":
        return _domain_page(request, DomainForm())
    form = DomainForm(request.POST)
    if form.is_valid():
        try:
            saved = config_services.save_domain(request.user, form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Mail from %(domain)s now belongs to %(organization)s.") % {
                "domain": saved.domain, "organization": saved.organization.name})
            return redirect("mailchannel:domains")
    return _domain_page(request, form, status=400)


@permissions.admin_required
@require_POST
def domain_delete(request, pk):
    domain = get_object_or_404(OrganizationDomain, pk=pk)
    config_services.delete_domain(request.user, domain)
    messages.success(request, _("The domain %(domain)s was removed.") % {"domain": domain.domain})
    return redirect("mailchannel:domains")
