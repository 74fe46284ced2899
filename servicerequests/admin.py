"""The catalogue's configuration screens: categories, and items with their form designer (fields), approval
steps and task templates.

The inline formsets check their rows with servicerequests.catalog_validation (the rules save_item applies),
so a bad row is a form error on that row; saving then goes through catalog_services.write_item in one
transaction. Only managers and administrators change the catalogue here (agents may look). The change page
previews the item's form as a requester sees it.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from core import permissions

from . import catalog_services, catalog_validation
from .expected import describe_expected, expected_fulfilment
from .item_forms import item_form_class
from .models import ApprovalStep, CatalogCategory, CatalogItem, ItemField, TaskTemplate


class ManagersChange:
    """Model permissions say who may open the screen; writes are for managers and administrators only."""

    def has_add_permission(self, request, *args):
        return permissions.is_manager(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return permissions.is_manager(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return permissions.is_manager(request.user) and super().has_delete_permission(request, obj)


class ChoicesField(forms.CharField):
    """A choice field's options, one per line (stored as a JSON list)."""

    widget = forms.Textarea(attrs={"rows": 2, "cols": 18})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(choice) for choice in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ItemFieldForm(forms.ModelForm):
    choices = ChoicesField(label=_("choices"), required=False, help_text=_("One option per line."))

    class Meta:
        model = ItemField
        fields = ("order", "name", "label", "type", "required", "choices", "min_value", "max_value", "pattern",
                  "shown_when_field", "shown_when_value", "default", "help_text")
        widgets = {"help_text": forms.TextInput(attrs={"size": 20}), "default": forms.TextInput(attrs={"size": 10}),
                   "pattern": forms.TextInput(attrs={"size": 12})}


class CheckedFormSet(BaseInlineFormSet):
    """Runs `rule` (a catalog_validation function) over the rows kept, in `ordering`, and puts its messages on
    the rows' fields."""

    rule = staticmethod(lambda rows: {})
    ordering = None

    def kept_forms(self):
        kept = []
        for position, form in enumerate(self.forms):
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            kept.append((position, form))
        if self.ordering:
            kept.sort(key=lambda pair: (getattr(pair[1].instance, self.ordering) or 0, pair[0]))
        return [form for _position, form in kept]

    def record_changes(self):
        """The rows to save; notes what is new, changed and deleted, as formset.save() would, for the
        admin's history."""
        kept = self.kept_forms()
        self.new_objects = [form.instance for form in kept if form.instance.pk is None]
        self.changed_objects = [(form.instance, form.changed_data) for form in kept
                                if form.instance.pk is not None and form.has_changed()]
        self.deleted_objects = [form.instance for form in self.deleted_forms if form.instance.pk is not None]
        return [form.instance for form in kept]

    def clean(self):
        try:
            super().clean()  # duplicates among the rows (raised after marking them)
        except ValidationError as duplicates:
            self.check_rows()
            raise duplicates
        self.check_rows()

    def check_rows(self):
        kept = self.kept_forms()
        for index, problems in type(self).rule([form.instance for form in kept]).items():
            form = kept[index]
            for attribute, messages in problems.items():
                target = attribute if attribute in form.fields else None
                if target is None or target not in form.errors:  # one complaint per input is enough
                    form.add_error(target, messages)


class FieldFormSet(CheckedFormSet):
    rule = staticmethod(catalog_validation.field_errors)
    ordering = "order"


class ApprovalFormSet(CheckedFormSet):
    rule = staticmethod(catalog_validation.approval_errors)
    ordering = "order"


class TaskFormSet(CheckedFormSet):
    rule = staticmethod(catalog_validation.task_errors)
    ordering = "stage"


class ItemFieldInline(ManagersChange, admin.StackedInline):
    model = ItemField
    form = ItemFieldForm
    formset = FieldFormSet
    extra = 1
    # a few fields per line keep a long form readable without scrolling sideways
    fields = (("order", "name", "label", "type", "required"), ("choices", "default", "help_text"),
              ("min_value", "max_value", "pattern"), ("shown_when_field", "shown_when_value"))
    verbose_name_plural = _("form fields (a field may be shown only when an earlier one has a given value)")


class ApprovalStepInline(ManagersChange, admin.TabularInline):
    model = ApprovalStep
    formset = ApprovalFormSet
    extra = 0
    fields = ("order", "approver", "group", "user", "rule", "required")
    raw_id_fields = ("user",)


class TaskTemplateInline(ManagersChange, admin.TabularInline):
    model = TaskTemplate
    formset = TaskFormSet
    extra = 0
    fields = ("stage", "title", "team", "instructions")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "instructions":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 30})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(CatalogCategory)
class CatalogCategoryAdmin(ManagersChange, admin.ModelAdmin):
    list_display = ("name", "order", "description")
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        saved = catalog_services.save_category(CatalogCategory.objects.get(pk=obj.pk) if obj.pk else None,
                                               form.cleaned_data, request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        catalog_services.delete_category(obj, request.user)


@admin.register(CatalogItem)
class CatalogItemAdmin(ManagersChange, admin.ModelAdmin):
    list_display = ("name", "category", "service", "request_type", "needs_approval", "active", "order")
    list_filter = ("active", "request_type", "category")
    list_select_related = ("category", "service")
    search_fields = ("name", "summary")
    filter_horizontal = ("organizations",)
    readonly_fields = ("form_preview",)
    inlines = [ItemFieldInline, ApprovalStepInline, TaskTemplateInline]
    fieldsets = (
        (None, {"fields": ("name", "summary", "description", "category", "icon", "request_type", "order",
                           "active")}),
        (_("Offered"), {"fields": ("service", "organizations")}),
        (_("Fulfilment"), {"fields": ("team", "needs_approval")}),
        (_("Preview"), {"fields": ("form_preview",)}),
    )

    @admin.display(description=_("The form as a requester sees it"))
    def form_preview(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the item to preview its form.")
        form = item_form_class(obj, None)(prefix="preview", use_required_attribute=False)
        expected = describe_expected(expected_fulfilment(obj))
        return render_to_string("servicerequests/admin/item_preview.html",
                                {"form": form, "item": obj, "expected": expected})

    def save_model(self, request, obj, form, change):
        pass  # saved with its rows in save_related, through catalog_services

    def save_related(self, request, form, formsets, change):
        rows = {}
        for formset in formsets:
            if isinstance(formset, CheckedFormSet):
                rows[formset.model] = formset.record_changes()
        catalog_services.write_item(form.instance, {}, request.user,
                                    organizations=form.cleaned_data.get("organizations"),
                                    fields=rows.get(ItemField), steps=rows.get(ApprovalStep),
                                    tasks=rows.get(TaskTemplate))

    def delete_model(self, request, obj):
        catalog_services.delete_item(obj, request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            catalog_services.delete_item(obj, request.user)
