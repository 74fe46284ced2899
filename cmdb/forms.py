"""CI and relationship forms. The attribute fields are built from the chosen class's schema."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import schema
from .models import CIClass, ConfigurationItem, RelationshipKind

ATTR_PREFIX = "attr_"
CI_FORM_FIELDS = ["name", "ci_class", "status", "environment", "service", "organization", "owner_team",
                  "location", "external_id", "description"]


def _attribute_field(spec):
    kind, required = spec.get("type"), bool(spec.get("required"))
    label = spec["name"].replace("_", " ").capitalize()
    if kind == "boolean":
        return forms.TypedChoiceField(label=label, required=required, choices=[
            ("", "—"), ("true", _("Yes")), ("false", _("No"))])
    if kind == "choice":
        return forms.ChoiceField(label=label, required=required,
                                 choices=[("", "—")] + [(str(c), str(c)) for c in spec.get("choices") or []])
    if kind == "integer":
        return forms.IntegerField(label=label, required=required)
    if kind == "number":
        return forms.FloatField(label=label, required=required)
    if kind == "date":
        return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
    return forms.CharField(label=label, required=required, max_length=500)


class ConfigurationItemForm(forms.ModelForm):
    """Edits a CI; the class's attributes appear as fields named attr_<name> (after choosing the class)."""

    class Meta:
        model = ConfigurationItem
        fields = CI_FORM_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ci_class"].required = True
        self.fields["ci_class"].widget.attrs["data-ci-class-select"] = ""
        self.ci_class = self._chosen_class()
        self.attribute_specs = list(self.ci_class.attribute_schema) if self.ci_class else []
        current = self.instance.attributes or {}
        for spec in self.attribute_specs:
            name = ATTR_PREFIX + spec["name"]
            self.fields[name] = _attribute_field(spec)
            if spec["name"] in current:
                value = current[spec["name"]]
                self.initial[name] = ("true" if value else "false") if isinstance(value, bool) else value

    def _chosen_class(self):
        raw = self.data.get("ci_class") if self.is_bound else None
        if raw:
            return CIClass.objects.filter(pk=raw).first() if str(raw).isascii() and str(raw).isdigit() else None
        initial = self.initial.get("ci_class")
        if initial and str(initial).isascii() and str(initial).isdigit() and int(initial) != self.instance.ci_class_id:
            return CIClass.objects.filter(pk=initial).first()
        return self.instance.ci_class if self.instance.ci_class_id else None

    def attribute_fields(self):
        return [self[ATTR_PREFIX + spec["name"]] for spec in self.attribute_specs]

    def main_fields(self):
        return [self[name] for name in CI_FORM_FIELDS]

    def attributes(self):
        """The attributes from the cleaned attr_ fields, checked against the schema."""
        raw = {}
        for spec in self.attribute_specs:
            value = self.cleaned_data.get(ATTR_PREFIX + spec["name"])
            if value not in (None, ""):
                raw[spec["name"]] = value
        return raw

    def clean(self):
        cleaned = super().clean()
        if self.ci_class is None:
            return cleaned
        chosen = cleaned.get("ci_class")
        if chosen and chosen.pk != self.ci_class.pk:
            return cleaned
        _values, errors = schema.validate_attributes(self.attribute_specs, self.attributes())
        for name, messages in errors.items():
            field = ATTR_PREFIX + name
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        return cleaned

    def _post_clean(self):
        """Model validation is left to the service (which sees the attributes too)."""

    def service_data(self):
        data = {name: self.cleaned_data.get(name) for name in CI_FORM_FIELDS}
        data["attributes"] = self.attributes()
        return data

    def add_service_errors(self, exc: ValidationError):
        for name, messages in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class RelationshipForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=RelationshipKind.choices)
    target = forms.ModelChoiceField(label=_("Configuration item"), queryset=ConfigurationItem.objects.none(),
                                    widget=forms.NumberInput(attrs={"placeholder": _("CI id")}))
    direction = forms.ChoiceField(label=_("Direction"), choices=[
        ("out", _("This CI → the other")), ("in", _("The other → this CI"))], initial="out")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = ConfigurationItem.objects.all()
