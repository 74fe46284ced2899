"""The agent's alert console: open alerts grouped by CI and service, and an alert's detail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import failures, queries
from .filters import AlertFilter
from .permissions import can_read_alerts

CONSOLE_LIMIT = 1000


def _require_agent(request):
    if not can_read_alerts(request.user):
        raise PermissionDenied


@login_required
def console(request):
    _require_agent(request)
    data = request.GET.copy()
    data.setdefault("state", "open")
    alert_filter = AlertFilter(data, queryset=queries.alert_list())
    matching = alert_filter.qs if alert_filter.is_valid() else queries.alert_list().none()
    alerts = list(queries.worst_first(matching)[:CONSOLE_LIMIT])
    groups = queries.group_by_ci_and_service(alerts)
    return render(request, "events/console.html", {
        "filter": alert_filter, "groups": groups, "alert_total": len(alerts),
        "truncated": len(alerts) >= CONSOLE_LIMIT, "failed_events": list(queries.failed_events()),
    })


@login_required
@require_POST
def retry_event(request, pk):
    _require_agent(request)
    if failures.retry_event(pk, request.user):
        messages.success(request, _("Event %(id)s was queued for processing again.") % {"id": pk})
    else:
        messages.error(request, _("Event %(id)s has no failure to retry.") % {"id": pk})
    return redirect("events:console")


@login_required
def alert_detail(request, pk):
    _require_agent(request)
    alert = get_object_or_404(queries.alert_detail(), pk=pk)
    return render(request, "events/alert_detail.html", {"alert": alert})
