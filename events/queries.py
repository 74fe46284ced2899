"""Reusable reads of alerts, shared by the API and the console."""

from django.db.models import Case, IntegerField, Value, When

from .models import SEVERITY_RANK, Alert, Event

LIST_RELATED = ("configuration_item", "service", "incident")


def severity_rank():
    return Case(*[When(severity=value, then=Value(rank)) for value, rank in SEVERITY_RANK.items()],
                output_field=IntegerField())


def alert_list():
    return Alert.objects.select_related(*LIST_RELATED)


def alert_detail():
    return Alert.objects.select_related(*LIST_RELATED, "configuration_item__ci_class", "rule")


def failed_events(limit=50):
    """Events whose processing failed after every retry, newest first (only ids and what the console shows)."""
    return (Event.objects.filter(processed_at__isnull=False).exclude(error="")
            .only("id", "source", "format", "received_at", "attempts", "error").order_by("-id")[:limit])


def worst_first(queryset):
    """Alerts ordered for the console: most severe, then most recently seen."""
    return queryset.annotate(rank=severity_rank()).order_by("rank", "-last_seen", "-id")


def group_by_ci_and_service(alerts):
    """[{service, ci, alerts, count, worst}] in the order of the alerts' worst severity."""
    groups = {}
    for alert in alerts:
        key = (alert.service_id, alert.configuration_item_id)
        group = groups.setdefault(key, {"service": alert.service, "ci": alert.configuration_item, "alerts": [],
                                        "count": 0, "worst": alert})
        group["alerts"].append(alert)
        group["count"] += alert.count
    return list(groups.values())
