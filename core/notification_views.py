"""HTML pages of notifications: the in-app list, mark read, watch / stop watching, preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import account_services, notification_services, permissions, queries, ui
from .forms import NotificationPreferencesForm
from .models import Ticket

LIST_ORDERING = ("-id",)


@login_required
def notification_list(request):
    unread = request.GET.get("unread") == "true"
    page = ui.keyset_page(queries.notifications_for(request.user, unread=unread), LIST_ORDERING,
                          after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    for row in page.rows:
        row.url = ui.ticket_url(row.ticket) if row.ticket_id else ""
    return render(request, "core/notifications.html", {
        "page": page, "unread": unread, "query": ui.query_without(request, "after", "before")})


@login_required
@require_POST
def notification_read(request, pk):
    notification_services.mark_read(request.user, [pk])
    return HttpResponseRedirect(ui.safe_next(request, "/notifications/"))


@login_required
@require_POST
def notification_read_all(request):
    count = notification_services.mark_all_read(request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return HttpResponseRedirect(ui.safe_next(request, "/notifications/"))


@login_required
@require_POST
def ticket_watch(request, pk):
    """Watch (watch=1) or stop watching (watch=0) a ticket; htmx gets the button back, others a redirect."""
    ticket = get_object_or_404(permissions.visible_tickets(request.user, Ticket.objects.all()), pk=pk)
    try:
        if request.POST.get("watch") == "0":
            notification_services.unwatch_ticket(ticket, request.user)
        else:
            notification_services.watch_ticket(ticket, request.user)
    except ValidationError:
        raise Http404
    if request.htmx:
        return render(request, "components/watch_button.html", {
            "ticket": ticket, "watching": notification_services.is_watching(request.user, ticket)})
    return HttpResponseRedirect(ui.safe_next(request, ui.ticket_url(ticket) or "/"))


@login_required
@require_POST
def notification_preferences(request):
    form = NotificationPreferencesForm(request.POST, table=account_services.preference_table(request.user))
    if form.is_valid():
        account_services.set_preferences(request.user, form.choices())
        messages.success(request, _("Your notification preferences were saved."))
    return redirect("profile")
