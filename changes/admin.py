"""Configuration screens: change models with their authority steps (versioned when in use), change advisory
boards and the risk questionnaire."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _, gettext_lazy

from . import model_services
from .models import AuthorityStep, ChangeAdvisoryBoard, ChangeModel, RiskQuestion


class AuthorityStepForm(forms.ModelForm):
    class Meta:
        model = AuthorityStep
        fields = model_services.STEP_FIELDS

    def clean(self):
        cleaned = super().clean()
        for name, errors in model_services.step_errors(cleaned).items():
            for message in errors:
                self.add_error(name, message)
        return cleaned


class AuthorityStepInline(admin.TabularInline):
    model = AuthorityStep
    form = AuthorityStepForm
    extra = 0
    fields = model_services.STEP_FIELDS
    autocomplete_fields = ()


def _steps_from(formsets):
    steps = []
    for formset in formsets:
        if formset.model is not AuthorityStep:
            continue
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or (formset.can_delete and formset._should_delete_form(form)):
                continue
            steps.append({name: data.get(name) for name in model_services.STEP_FIELDS})
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    return sorted(steps, key=lambda step: step.get("order") or 0)


@admin.register(ChangeModel)
class ChangeModelAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "change_type", "active", "requires_review", "lead_time_days", "created_at")
    list_filter = ("change_type", "active")
    search_fields = ("name",)
    readonly_fields = ("version", "previous_version", "created_at")
    fields = ("name", "change_type", "description", "active", "requires_review", "lead_time_days", "version",
              "previous_version", "created_at")
    inlines = [AuthorityStepInline]

    def save_model(self, request, obj, form, change):
        if change and model_services.in_use(obj.pk):
            obj._new_version_of = obj.pk  # saved with its steps by save_related, as a new version
            return
        super().save_model(request, obj, form, change)
        model_services.deactivate_other_versions(obj)

    def save_related(self, request, form, formsets, change):
        old_pk = getattr(form.instance, "_new_version_of", None)
        if old_pk is None:
            return super().save_related(request, form, formsets, change)
        fields = {name: form.cleaned_data[name] for name in model_services.MODEL_FIELDS if name in form.cleaned_data}
        new = model_services.save_version(ChangeModel.objects.get(pk=old_pk), fields, _steps_from(formsets))
        form.instance.pk, form.instance.version = new.pk, new.version
        form.instance.previous_version_id = old_pk
        self.message_user(request, _("Changes use this model, so it was saved as version %(version)d; they keep "
                                     "the version they were raised under.") % {"version": new.version},
                          messages.INFO)


@admin.register(ChangeAdvisoryBoard)
class ChangeAdvisoryBoardAdmin(admin.ModelAdmin):
    list_display = ("name", "emergency", "chair", "rule", "required")
    list_filter = ("emergency",)
    search_fields = ("name",)
    filter_horizontal = ("members",)


class RiskQuestionForm(forms.ModelForm):
    class Meta:
        model = RiskQuestion
        fields = ("text", "help_text", "weight", "options", "order", "active")

    def clean_options(self):
        options = self.cleaned_data.get("options")
        message = gettext_lazy('Give a list of at least two options, each {"label": "...", "score": 0 to 4}.')
        if not isinstance(options, list) or len(options) < 2:
            raise forms.ValidationError(message)
        for option in options:
            if not isinstance(option, dict) or set(option) - {"label", "score"}:
                raise forms.ValidationError(message)
            label, score = option.get("label"), option.get("score")
            if not isinstance(label, str) or not label.strip():
                raise forms.ValidationError(message)
            if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 4:
                raise forms.ValidationError(message)
        return options


@admin.register(RiskQuestion)
class RiskQuestionAdmin(admin.ModelAdmin):
    form = RiskQuestionForm
    list_display = ("text", "weight", "order", "active")
    list_filter = ("active",)
    list_editable = ("order", "active")
    search_fields = ("text",)


from . import schedule_admin  # noqa: E402,F401  (blackout windows)
