"""The inbound mail log (managers read it), the held-mail list with Retry / Discard / Download (admins), the
ticket page's "E-mail" panel and a message's "View as sent" page (whoever may see its ticket)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions, ui
from core.services import PermissionDeniedError

from . import outcomes, queries
from .forms import message_filter
from .models import HELD_OUTCOMES, InboundMessage
from .permissions import can_read_log
from .views import nav, peer

# The sanitised HTML of a message is shown in a sandboxed frame; the page around it runs no script and loads
# nothing from elsewhere (styles from this site only), and the frame inherits that.
AS_SENT_POLICY = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src data:; font-src 'self'; "
                  "frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'")


def _list(request, held):
    queryset = queries.held_messages() if held else queries.messages()
    filterset = message_filter(request.GET or None, queryset, held=held)
    valid = not filterset.is_bound or filterset.is_valid()
    page = ui.keyset_page(filterset.qs if valid else queryset.none(), ("-id",),
                          after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    for row in page.rows:
        row.ticket_url = ui.ticket_url(row.ticket) if row.ticket_id else ""
    return render(request, "mailchannel/messages.html", {
        "page": page, "filter": filterset, "held": held, "query": ui.query_without(request, "after", "before"),
        **nav("held" if held else "log", request.user),
    }, status=200 if valid else 400)


@permissions.manager_required
def message_list(request):
    return _list(request, held=False)


@permissions.admin_required
def held_list(request):
    return _list(request, held=True)


def _back(request):
    return redirect(ui.safe_next(request, reverse("mailchannel:held")))


def _held(pk):
    return get_object_or_404(InboundMessage, pk=pk, outcome__in=HELD_OUTCOMES)


@permissions.admin_required
@require_POST
def message_retry(request, pk):
    message = _held(pk)
    try:
        result = peer("ingest").retry(message, request.user)
    except (ValidationError, PermissionDeniedError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.add_message(request, *outcomes.describe_result(result))
    return _back(request)


@permissions.admin_required
@require_POST
def message_discard(request, pk):
    message = _held(pk)
    try:
        peer("ingest").discard(message, request.user)
    except (ValidationError, PermissionDeniedError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The message from %(sender)s was discarded.") % {"sender": message.sender})
    return _back(request)


@permissions.admin_required
def message_download(request, pk):
    """The whole message as it was read, as an .eml file: always an attachment, never shown in the browser."""
    message = get_object_or_404(InboundMessage.objects.only("id", "raw"), pk=pk, raw__isnull=False)
    response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def message_as_sent(request, pk):
    """A message's sanitised HTML inside a sandboxed frame; a 404 to anyone who may not see its ticket."""
    message = queries.sent_html_message(pk)
    if message is None or not permissions.can_view(request.user, message.ticket):
        raise Http404
    response = render(request, "mailchannel/as_sent.html", {"message": message,
                                                             "ticket_url": ui.ticket_url(message.ticket)})
    response["Content-Security-Policy"] = AS_SENT_POLICY
    response["Referrer-Policy"] = "no-referrer"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def ticket_panel_context(ticket, request):
    """The ticket page's "E-mail" panel (core.hooks.register_ticket_panel): one query, nothing without mail."""
    rows = queries.ticket_messages(ticket)
    return {"mail_messages": rows[-queries.TICKET_PANEL_LIMIT:],
            "mail_more": len(rows) > queries.TICKET_PANEL_LIMIT,
            "mail_log": can_read_log(request.user)}
