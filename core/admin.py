"""Configuration screens: organizations, teams, profiles, the priority matrix. Tickets are changed in the
service-desk UI (through the services), so the admin shows them read-only."""

from django.contrib import admin

from .models import ApiToken, AuditEntry, Organization, PriorityMatrix, Profile, Team


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
    list_display = ("user", "organization", "timezone", "language")
    list_select_related = ("user", "organization")
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)


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
