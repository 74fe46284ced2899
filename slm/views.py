"""Server-rendered pages of the service catalogue and agreements (reports are in reports_views.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from cmdb.models import ConfigurationItem
from core import permissions

from .models import Agreement, Service, ServiceLevelTarget
from .queries import catalogue_for, customer_targets


@login_required
def service_list(request):
    services = catalogue_for(request.user)
    if not permissions.is_agent(request.user):
        services = services.exclude(status=Service.Status.RETIRED)
    status = request.GET.get("status", "")
    if status in Service.Status.values:
        services = services.filter(status=status)
    return render(request, "slm/service_list.html", {"services": services, "statuses": Service.Status.choices,
                                                     "status": status})


@login_required
def service_detail(request, pk):
    if not permissions.is_agent(request.user):
        service = get_object_or_404(catalogue_for(request.user), pk=pk)
        return render(request, "slm/service_detail.html", {
            "service": service, "customer_view": True, "targets": customer_targets(service, request.user)})
    service = get_object_or_404(catalogue_for(request.user).prefetch_related(
        "customers", "supporting_teams", "stakeholders",
        Prefetch("configuration_items", queryset=ConfigurationItem.objects.order_by("name"))), pk=pk)
    agreements = service.agreements.prefetch_related(
        Prefetch("targets", queryset=ServiceLevelTarget.objects.select_related("calendar")))
    return render(request, "slm/service_detail.html", {"service": service, "agreements": agreements})


def _require_staff(user):
    if not permissions.is_agent(user):
        raise PermissionDenied


@login_required
def agreement_list(request):
    _require_staff(request.user)
    agreements = Agreement.objects.select_related("organization", "team").prefetch_related("services")
    return render(request, "slm/agreement_list.html", {"agreements": agreements,
                                                       "can_configure": permissions.is_manager(request.user)})


@login_required
def agreement_detail(request, pk):
    _require_staff(request.user)
    agreement = get_object_or_404(Agreement.objects.select_related("organization", "team", "previous_version")
                                  .prefetch_related("services", Prefetch(
                                      "targets", queryset=ServiceLevelTarget.objects.select_related(
                                          "calendar", "service", "organization"))), pk=pk)
    return render(request, "slm/agreement_detail.html", {"agreement": agreement,
                                                         "can_configure": permissions.is_manager(request.user)})
