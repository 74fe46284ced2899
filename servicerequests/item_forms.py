"""Django forms built from a catalogue item's fields (the portal's order page and the agents' request form).

The form's own fields only render and collect raw input; `clean()` hands it all to
variables.validate_variables, so the portal, the agents' form and the API accept and refuse the same answers
(errors land on the field they name). After is_valid(): `cleaned_data` are the cleaned variables and
`uploads` the uploaded files of the visible attachment fields, ready for
services.create_request(actor, {"catalog_item": item, "variables": form.cleaned_data, "files": form.uploads}).

shown_when travels as `data-shown-when='{"field": name, "value": value}'` (and `data-item-field`) on each
widget (a wrapper span for pickers); static/js/item-form.js shows and hides the fields' `.field` wrappers
live and disables hidden inputs. Without JavaScript every field shows and the server drops hidden answers.
A field that is required only when shown is marked required but has no HTML `required` attribute.
"""

import json

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.widgets import CIPickerWidget, UserPickerWidget

from .models import FieldType
from .variables import VariablesError, ci_scope, default_value, user_scope, validate_variables

CHOICES_LIMIT = 20
EMPTY_CHOICE = _("Choose…")


class _ItemPickerMixin:
    """A picker whose chosen value's name is read only within `scope`, wrapped in a span carrying the
    data-* attributes item-form.js reads."""

    def __init__(self, scope=None, **kwargs):
        super().__init__(**kwargs)
        self.scope = scope
        if self.url:  # the item's scoped choices answer names only
            self.detail_keys = ()
            self.placeholder = _("Search by name")

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        shown_when = self.attrs.get("data-shown-when")
        return format_html('<span class="item-picker" data-item-field="{}"{}>{}</span>',
                           self.attrs.get("data-item-field", name),
                           format_html(' data-shown-when="{}"', shown_when) if shown_when else "", html)


class ItemUserPicker(_ItemPickerMixin, UserPickerWidget):
    def value_label(self, value):
        user = self.scope.filter(pk=value).only("username", "first_name", "last_name").first()
        return (user.get_full_name() or user.username) if user else ""


class ItemCIPicker(_ItemPickerMixin, CIPickerWidget):
    def __init__(self, scope=None, **kwargs):
        kwargs.setdefault("service_target", None)
        super().__init__(scope=scope, **kwargs)

    def value_label(self, value):
        return self.scope.filter(pk=value).values_list("name", flat=True).first() or ""


class _Raw:
    """Leaves the raw input alone: validate_variables does the checking."""

    def clean(self, value, initial=None):
        return value


class RawCharField(_Raw, forms.CharField):
    pass


class RawChoiceField(_Raw, forms.ChoiceField):
    pass


class RawMultipleChoiceField(_Raw, forms.MultipleChoiceField):
    pass


class RawFileField(_Raw, forms.FileField):
    pass


def _bounds(item_field):
    return {key: str(int(value) if value == value.to_integral_value() else value)
            for key, value in (("min", item_field.min_value), ("max", item_field.max_value)) if value is not None}


def _picker_url(item, user, kind):
    if permissions.is_agent(user):
        return None  # the directory's own search (staff see every user and CI)
    return reverse("catalogitem-choices-" + kind.replace("_", "-"), args=[item.pk])


def form_field(item_field, item, user):
    """The Django form field of one ItemField (raw input; see the module)."""
    kind = item_field.type
    options = [(choice, choice) for choice in item_field.choices or []]
    common = {"label": item_field.label, "help_text": item_field.help_text, "required": item_field.required}
    if kind == FieldType.LONG_TEXT:
        field = RawCharField(widget=forms.Textarea(attrs={"rows": 4}), **common)
    elif kind == FieldType.NUMBER:
        field = RawCharField(widget=forms.NumberInput(attrs={"step": "any", **_bounds(item_field)}), **common)
    elif kind == FieldType.CHOICE:
        field = RawChoiceField(choices=[("", EMPTY_CHOICE)] + options, **common)
    elif kind == FieldType.MULTIPLE_CHOICE:
        field = RawMultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
    elif kind == FieldType.DATE:
        field = RawCharField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    elif kind == FieldType.USER:
        field = RawCharField(widget=ItemUserPicker(scope=user_scope(user), url=_picker_url(item, user, kind)),
                             **common)
    elif kind == FieldType.CONFIGURATION_ITEM:
        field = RawCharField(widget=ItemCIPicker(scope=ci_scope(user), url=_picker_url(item, user, kind)),
                             **common)
    elif kind == FieldType.ATTACHMENT:
        field = RawFileField(**common)
    else:
        attrs = {"maxlength": _bounds(item_field)["max"]} if item_field.max_value is not None else {}
        field = RawCharField(widget=forms.TextInput(attrs=attrs), **common)
    default = default_value(item_field)
    if default:
        field.initial = default
    field.widget.attrs["data-item-field"] = item_field.name
    if item_field.shown_when_field:
        field.widget.attrs["data-shown-when"] = json.dumps(
            {"field": item_field.shown_when_field, "value": item_field.shown_when_value})
        field.widget.use_required_attribute = lambda initial: False  # required only while shown
    return field


class ItemForm(forms.Form):
    """Base of the forms item_form_class builds; `item` and `user` are class attributes."""

    item = None
    user = None
    item_fields = ()

    class Media:
        js = ("js/item-form.js",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.uploads = {}

    def _answers(self):
        raw, files = {}, {}
        for item_field in self.item_fields:
            name = item_field.name
            widget = self.fields[name].widget
            if widget.value_omitted_from_data(self.data, self.files, self.add_prefix(name)):
                continue
            value = self.cleaned_data.get(name)
            if item_field.type == FieldType.ATTACHMENT:
                if value:
                    files[name] = value
            else:
                raw[name] = value
        return raw, files

    def clean(self):
        raw, files = self._answers()
        try:
            variables = validate_variables(self.item, raw, self.user, files=files)
        except VariablesError as error:
            for name, messages in error.errors.items():
                self.add_error(name if name in self.fields else None, list(messages))
            return self.cleaned_data
        self.uploads = {name: upload for name, upload in files.items() if name in variables}
        return variables


def item_form_class(item, user):
    """A forms.Form subclass (ItemForm) with one field per ItemField (named by ItemField.name, with its widget,
    help text, default and validation), whose cleaned_data are the variables validate_variables accepts; shown_when
    is carried as data-shown-when attributes for static/js/item-form.js."""
    item_fields = list(item.fields.all())
    form_class = type("ItemForm", (ItemForm,), {"item": item, "user": user, "item_fields": item_fields})
    # Set after the class is made, so that a field named like an attribute ("user", "item") stays a field.
    form_class.base_fields = {f.name: form_field(f, item, user) for f in item_fields}
    form_class.declared_fields = dict(form_class.base_fields)
    return form_class
