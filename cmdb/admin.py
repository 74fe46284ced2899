"""Administrators define CI classes and their attribute schemas here; writes go through cmdb.services."""

from django.contrib import admin

from . import services
from .models import CIClass


@admin.register(CIClass)
class CIClassAdmin(admin.ModelAdmin):
    list_display = ("label", "name", "description")
    search_fields = ("name", "label")

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.CLASS_FIELDS if name in form.cleaned_data}
        saved = services.save_class(request.user, data, ci_class=obj if change else None)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.delete_class(obj, request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.configuration_items.exists())
