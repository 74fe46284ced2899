"""Configuration screens for calendars, the catalogue, agreements, targets, escalation rules and timers.

Saves go through slm.services (so calendar versions are bumped and agreed agreements stay frozen)."""

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (Agreement, BusinessCalendar, CalendarException, CalendarHours, EscalationRule,
                     MaintenanceWindow, Service, ServiceLevelTarget, SLATimer, SLATimerEvent)


class CalendarHoursInline(admin.TabularInline):
    model = CalendarHours
    extra = 0


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "timezone", "version")
    search_fields = ("name",)
    readonly_fields = ("version",)
    inlines = [CalendarHoursInline, CalendarExceptionInline]
    actions = ["import_holidays", "import_holidays_next_year"]

    def save_model(self, request, obj, form, change):
        saved = services.save_calendar(BusinessCalendar.objects.get(pk=obj.pk) if obj.pk else None,
                                       {f: form.cleaned_data[f] for f in ("name", "timezone", "description")})
        obj.pk, obj.version = saved.pk, saved.version

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.bump_calendar(form.instance)  # inline rows changed: recompute cached working intervals

    def _import(self, request, queryset, year):
        for calendar in queryset:
            try:
                added = services.import_holidays(calendar, "CN", year)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
                return
            self.message_user(request, _("%(calendar)s: %(count)d days added.") % {"calendar": calendar,
                                                                                   "count": added})

    @admin.action(description=_("Import China's public holidays and make-up working days of this year"))
    def import_holidays(self, request, queryset):
        self._import(request, queryset, dt.date.today().year)

    @admin.action(description=_("Import China's public holidays and make-up working days of next year"))
    def import_holidays_next_year(self, request, queryset):
        self._import(request, queryset, dt.date.today().year + 1)


class TargetInline(admin.TabularInline):
    model = ServiceLevelTarget
    extra = 0
    fields = ("name", "metric", "ticket_kind", "priority", "service", "organization", "target_seconds", "calendar",
              "active")


class MaintenanceWindowInline(admin.TabularInline):
    """The agreement's weekly maintenance windows (in its first service's service-hours time zone); the change
    calendar shows their occurrences."""

    model = MaintenanceWindow
    extra = 0
    fields = ("weekday", "start_time", "end_time")


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "kind", "status", "organization", "team", "supplier", "valid_from",
                    "valid_to", "review_date")
    list_filter = ("kind", "status")
    search_fields = ("name", "supplier")
    filter_horizontal = ("services",)
    readonly_fields = ("version", "previous_version")
    inlines = [TargetInline, MaintenanceWindowInline]
    actions = ["make_new_version"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == Agreement.Status.AGREED:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f != "services"}
        saved = services.save_agreement(Agreement.objects.get(pk=obj.pk) if obj.pk else None, data)
        obj.pk = saved.pk

    @admin.action(description=_("Create a new draft version"))
    def make_new_version(self, request, queryset):
        for agreement in queryset:
            try:
                copy = services.new_version(agreement)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
                continue
            self.message_user(request, _("Created %(agreement)s.") % {"agreement": copy})


@admin.register(ServiceLevelTarget)
class ServiceLevelTargetAdmin(admin.ModelAdmin):
    list_display = ("name", "agreement", "metric", "ticket_kind", "priority", "service", "organization",
                    "target_seconds", "calendar", "active")
    list_filter = ("metric", "ticket_kind", "active")
    search_fields = ("name", "agreement__name")

    def save_model(self, request, obj, form, change):
        saved = services.save_target(ServiceLevelTarget.objects.get(pk=obj.pk) if obj.pk else None,
                                     dict(form.cleaned_data))
        obj.pk = saved.pk


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "criticality", "owner", "service_hours")
    list_filter = ("status", "criticality")
    search_fields = ("name",)
    filter_horizontal = ("supporting_teams", "customers", "stakeholders")

    def save_model(self, request, obj, form, change):
        data = {f: v for f, v in form.cleaned_data.items() if f not in ("supporting_teams", "customers",
                                                                         "stakeholders")}
        saved = services.save_service(Service.objects.get(pk=obj.pk) if obj.pk else None, data)
        obj.pk = saved.pk


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "target", "priority", "trigger", "percent", "action", "active")
    list_filter = ("trigger", "action", "active")

    def save_model(self, request, obj, form, change):
        saved = services.save_escalation_rule(EscalationRule.objects.get(pk=obj.pk) if obj.pk else None,
                                              dict(form.cleaned_data))
        obj.pk = saved.pk


class TimerEventInline(admin.TabularInline):
    model = SLATimerEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "audit_entry", "data")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SLATimer)
class SLATimerAdmin(admin.ModelAdmin):
    list_display = ("ticket", "metric", "target", "state", "due_at", "breached_at", "met")
    list_filter = ("metric", "state", "met")
    search_fields = ("ticket__number",)
    list_select_related = ("ticket", "target")
    readonly_fields = [f.name for f in SLATimer._meta.fields]
    inlines = [TimerEventInline]
    actions = ["repair"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Repair: recompute from the tickets' audited history"))
    def repair(self, request, queryset):
        ticket_ids = sorted(set(queryset.values_list("ticket_id", flat=True)))
        services.repair_timers(ticket_ids, request.user)
        self.message_user(request, _("Repaired the timers of %(count)d tickets.") % {"count": len(ticket_ids)})
