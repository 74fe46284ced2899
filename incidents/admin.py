from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Category, Incident


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "parent", "active")
    list_filter = ("active",)
    list_select_related = ("parent",)
    search_fields = ("name",)


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Read-only: incidents change through the service-desk UI and API, which audit every write."""

    list_display = ("number", "title", "state", "priority", "team", "assignee", "created_at")
    list_select_related = ("team", "assignee")
    list_filter = ("state", "priority", "is_major")
    search_fields = ("number", "title")
    show_full_result_count = False
