"""Administrators configure how alerts map to CIs and which open incidents; events and alerts are read-only."""

from django.contrib import admin

from .models import Alert, CIMappingRule, Event, IncidentRule


@admin.register(CIMappingRule)
class CIMappingRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "active", "match", "key", "pattern", "source"]
    list_editable = ["order", "active"]
    list_filter = ["active", "match"]


@admin.register(IncidentRule)
class IncidentRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "active", "min_severity", "ci_class", "max_service_criticality",
                    "open_incident", "impact", "urgency", "team", "auto_resolve"]
    list_editable = ["order", "active"]
    list_filter = ["active", "open_incident", "min_severity"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "source", "format", "received_at", "processed_at", "error"]
    list_filter = ["format", "source"]
    date_hierarchy = "received_at"


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["id", "check_name", "node", "severity", "state", "count", "last_seen", "configuration_item",
                    "incident"]
    list_filter = ["state", "severity", "source"]
    list_select_related = ["configuration_item", "incident"]
    search_fields = ["check_name", "node", "fingerprint"]
