"""Reusable SLA read queries, used by the incident queue (filters), the API and the ticket page."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from core import permissions

from .models import Agreement, Service, ServiceLevelTarget, SLATimer, SLATimerEvent


def user_organization_id(user):
    return getattr(getattr(user, "profile", None), "organization_id", None)


def catalogue_for(user):
    """The services a user may browse: staff see all; requesters those offered to their organization
    (what a requester may read of them is the customer view: see `customer_targets` and the API)."""
    services = Service.objects.select_related("owner", "service_hours")
    if permissions.is_agent(user):
        return services
    organization_id = user_organization_id(user)
    return services.filter(customers=organization_id) if organization_id else services.none()


def service_offered_to(service_id, organization_id):
    """Is the service in the catalogue of that customer organization (the core.hooks.service_offered check)?"""
    return bool(organization_id) and Service.objects.filter(pk=service_id, customers=organization_id).exists()


def customer_targets(service, user):
    """The active service level targets of the agreed SLAs between the provider and the user's organization
    that cover `service` (or every service of the agreement): a requester's own promises, nobody else's."""
    organization_id = user_organization_id(user)
    if not organization_id:
        return ServiceLevelTarget.objects.none()
    return (ServiceLevelTarget.objects.filter(agreement__organization_id=organization_id,
                                              agreement__status=Agreement.Status.AGREED,
                                              agreement__services=service, active=True)
            .filter(Q(service=service) | Q(service__isnull=True))
            .filter(Q(organization_id=organization_id) | Q(organization__isnull=True))
            .select_related("calendar").order_by("ticket_kind", "metric", "priority", "id"))


def filter_breached(queryset, value):
    """Tickets with (value=True) or without (False) a breached SLA timer (cancelled timers do not count)."""
    if value is None:
        return queryset
    breached = Exists(SLATimer.objects.filter(ticket_id=OuterRef("pk"), breached_at__isnull=False)
                      .exclude(state=SLATimer.State.CANCELLED))
    return queryset.filter(breached) if value else queryset.exclude(breached)


def filter_due_within(queryset, seconds):
    """Tickets with a running SLA timer due within `seconds` from now (or already overdue)."""
    horizon = timezone.now() + timezone.timedelta(seconds=int(seconds))
    return queryset.filter(Exists(SLATimer.objects.filter(ticket_id=OuterRef("pk"), state=SLATimer.State.RUNNING,
                                                          due_at__lte=horizon)))


def timer_queryset():
    return SLATimer.objects.select_related("target__calendar", "target__agreement").prefetch_related(
        Prefetch("events", queryset=SLATimerEvent.objects.select_related("audit_entry__actor")))


def timers_for(ticket_ids):
    """{ticket_id: [timers with target, calendar and events]} in two queries, for bulk display."""
    result = {}
    for timer in timer_queryset().filter(ticket_id__in=list(ticket_ids)).order_by("ticket_id", "metric"):
        result.setdefault(timer.ticket_id, []).append(timer)
    return result


def visible_timers(user):
    from core.models import Ticket

    return timer_queryset().filter(ticket__in=permissions.visible_tickets(user, Ticket.objects.all()))


def status_of(timer):
    """running / paused / met / breached / cancelled, as the ticket page and the API show it."""
    if timer.state == SLATimer.State.CANCELLED:
        return "cancelled"
    if timer.state == SLATimer.State.STOPPED:
        return "met" if timer.met else "breached"
    if timer.breached_at is not None:
        return "breached"
    return timer.state


def warning_levels(ticket_ids):
    """{ticket_id: highest warning percent of its running timers} in one query (for the SLA badge colour)."""
    from django.db.models import Max

    rows = (SLATimer.objects.filter(ticket_id__in=list(ticket_ids), state=SLATimer.State.RUNNING,
                                    warned_percent__gt=0)
            .values("ticket_id").annotate(level=Max("warned_percent")).order_by())
    return {row["ticket_id"]: row["level"] for row in rows}
