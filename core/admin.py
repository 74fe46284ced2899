"""Configuration screens: organizations, teams, profiles, the priority matrix. Tickets are changed in the
service-desk UI (through the services), so the admin shows them read-only."""

from django.contrib import admin

from . import desk_services, permissions
from .models import ApiToken, AssignmentRule, AuditEntry, CannedResponse, Organization, PriorityMatrix, Profile, Team


def _admin_site_permission(request):
    """Managers configure the desk (catalogue, agreements, rules) without Django's is_staff flag; what each
    may change is still their role's model permissions."""
    user = request.user
    return user.is_active and (user.is_staff or permissions.is_manager(user))


admin.site.has_permission = _admin_site_permission


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "requesters_see_organization_tickets", "created_at")
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "manager", "email")
    search_fields = ("name",)
    filter_horizontal = ("members",)
    list_select_related = ("manager",)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "manager", "timezone", "language")
    list_select_related = ("user", "organization", "manager")
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user", "manager")


@admin.register(PriorityMatrix)
class PriorityMatrixAdmin(admin.ModelAdmin):
    list_display = ("impact", "urgency", "priority")
    list_editable = ("priority",)
    list_display_links = None


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "prefix")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "ticket", "actor", "action")
    list_select_related = ("ticket", "actor")
    list_filter = ("action",)
    search_fields = ("ticket__number",)
    show_full_result_count = False


class ServiceWrittenAdmin(admin.ModelAdmin):
    """Saves and deletes through core.desk_services (model clean() validates first, as in the API)."""

    save_service = delete_service = None

    def save_model(self, request, obj, form, change):
        data = {name: getattr(obj, name) for name in form.cleaned_data if hasattr(obj, name)}
        type(self).save_service(request.user, data, obj)

    def delete_model(self, request, obj):
        type(self).delete_service(request.user, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            type(self).delete_service(request.user, obj)


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(ServiceWrittenAdmin):
    list_display = ("name", "order", "active", "team", "assign", "conditions")
    list_filter = ("active", "assign")
    list_select_related = ("team",)
    search_fields = ("name",)
    ordering = ("order", "id")
    save_service = desk_services.save_assignment_rule
    delete_service = desk_services.delete_assignment_rule


@admin.register(CannedResponse)
class CannedResponseAdmin(ServiceWrittenAdmin):
    list_display = ("title", "team", "active", "updated_at")
    list_filter = ("active", "team")
    list_select_related = ("team",)
    search_fields = ("title", "body")
    save_service = desk_services.save_canned_response
    delete_service = desk_services.delete_canned_response
