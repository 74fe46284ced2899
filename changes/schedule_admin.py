"""Configuration screen of blackout windows (registered when imported: changes/admin.py imports this module)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import schedule
from .models import BlackoutWindow


@admin.register(BlackoutWindow)
class BlackoutWindowAdmin(admin.ModelAdmin):
    list_display = ("name", "start", "end", "scope", "reason")
    list_filter = ("services",)
    search_fields = ("name", "reason")
    date_hierarchy = "start"
    filter_horizontal = ("services",)
    fields = ("name", "start", "end", "services", "reason")

    @admin.display(description=_("services"))
    def scope(self, obj):
        names = [service.name for service in obj.services.all()]
        return ", ".join(names) if names else _("Every service")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("services")

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in ("name", "start", "end", "reason")}
        saved = schedule.save_blackout(request.user, data, BlackoutWindow.objects.get(pk=obj.pk) if obj.pk else None)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        schedule.delete_blackout(request.user, obj)
