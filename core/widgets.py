"""Reusable form widgets: search pickers over the JSON API, selects that follow another field, and "Any"
as the empty choice of filter forms. The browser side is static/js/pickers.js (loaded by base.html)."""

import json

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .converters import parse_id

ANY = _("Any")


class SearchPickerWidget(forms.Widget):
    """A hidden id input plus a search box that queries a JSON list endpoint (`?search=TEXT&page_size=N`,
    answering `{"results": [...]}` with an `id` per row).

    The box shows each result's `label_key`, followed by its `detail_keys` in smaller text. `fill` maps the
    element ids of other fields to result keys copied into them when a result is chosen (a select gets the
    option added if it lacks it, named by the `<key>_name` value). Keyboard: arrows, Enter, Escape.
    """

    renders_itself = True  # core.ui.fields_html renders it with its own markup
    url_name = ""
    search_param = "search"
    label_key = "name"
    detail_keys = ()
    placeholder = _("Search")
    min_chars = 2

    def __init__(self, url=None, fill=None, placeholder=None, attrs=None):
        super().__init__(attrs)
        self.url = url
        self.fill = dict(fill or {})
        if placeholder is not None:
            self.placeholder = placeholder

    def id_for_label(self, id_):
        return f"{id_}_search" if id_ else id_

    def endpoint(self):
        return self.url or reverse(self.url_name)

    def value_label(self, value):
        """The text shown for the chosen id (one query); subclasses override it."""
        return str(value)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        element_id = attrs.get("id") or f"id_{name}"
        value = "" if value is None else str(value)
        label = self.value_label(value) if parse_id(value) else ""
        fill = format_html(" data-picker-fill='{}'", json.dumps(self.fill)) if self.fill else ""
        return format_html(
            '<span class="picker">'
            '<input type="hidden" name="{name}" id="{id}" value="{value}">'
            '<input type="text" id="{id}_search" value="{label}" data-picker data-picker-target="{id}" '
            'data-picker-url="{url}" data-picker-param="{param}" data-picker-label="{label_key}" '
            'data-picker-detail="{detail}" data-picker-min="{min}"{fill} autocomplete="off" role="combobox" '
            'aria-autocomplete="list" aria-expanded="false" aria-controls="{id}_results" placeholder="{placeholder}"'
            '{required}></span>',
            name=name, id=element_id, value=value, label=label or "", url=self.endpoint(), param=self.search_param,
            label_key=self.label_key, detail=" ".join(self.detail_keys), min=self.min_chars, fill=fill,
            placeholder=self.placeholder, required=" aria-required=\"true\"" if attrs.get("required") else "")


class UserPickerWidget(SearchPickerWidget):
    """A user, searched by name, user name, e-mail or organization (agents only: /api/v1/users/)."""

    url_name = "user-list"
    detail_keys = ("email", "organization_name")
    placeholder = _("Name, e-mail or organization")

    def value_label(self, value):
        user = get_user_model().objects.filter(pk=value).only("username", "first_name", "last_name").first()
        return (user.get_full_name() or user.username) if user else ""


class DelegatePickerWidget(UserPickerWidget):
    """A user the signed-in person may name as their approval delegate (a requester: their own organization's
    active users only), searched through /api/v1/approval-delegations/delegates/. `users` bounds the name shown
    for a submitted id too, so a foreign id never echoes a foreign name."""

    url_name = "approvaldelegation-delegates"
    detail_keys = ()
    placeholder = _("Search by name")

    def __init__(self, users=None, **kwargs):
        super().__init__(**kwargs)
        self.users = users

    def value_label(self, value):
        users = self.users if self.users is not None else get_user_model().objects.none()
        user = users.filter(pk=value).only("username", "first_name", "last_name").first()
        return (user.get_full_name() or user.username) if user else ""


class OrganizationPickerWidget(SearchPickerWidget):
    url_name = "organization-list"
    placeholder = _("Search organizations")

    def value_label(self, value):
        from .models import Organization

        return Organization.objects.filter(pk=value).values_list("name", flat=True).first() or ""


class CIPickerWidget(SearchPickerWidget):
    """A configuration item, searched by name, class or attributes; by default the service follows the CI."""

    url_name = "ci-list"
    detail_keys = ("class_label", "service_name")
    placeholder = _("Search configuration items")

    def __init__(self, service_target="id_service", **kwargs):
        kwargs.setdefault("fill", {service_target: "service"} if service_target else {})
        super().__init__(**kwargs)

    def value_label(self, value):
        model = apps.get_model("cmdb", "ConfigurationItem")
        return model.objects.filter(pk=value).values_list("name", flat=True).first() or ""


class ServicePickerWidget(SearchPickerWidget):
    url_name = "service-list"
    placeholder = _("Search services")

    def value_label(self, value):
        model = apps.get_model("slm", "Service")
        return model.objects.filter(pk=value).values_list("name", flat=True).first() or ""


class TicketPickerWidget(SearchPickerWidget):
    """A ticket of one kind by number or title, e.g. TicketPickerWidget(url_name="incident-list")."""

    search_param = "q"
    label_key = "number"
    detail_keys = ("title",)
    placeholder = _("Number or title")

    def __init__(self, url_name="incident-list", **kwargs):
        super().__init__(**kwargs)
        self.url_name = url_name

    def value_label(self, value):
        model = apps.get_model("core", "Ticket")
        return model.objects.filter(pk=value).values_list("number", flat=True).first() or ""


class FollowingSelect(forms.Select):
    """A select whose options each belong to a value of another field (`data-parent` on the option):
    pickers.js offers only the options of the value chosen there, e.g. subcategories of the category."""

    def __init__(self, follows, parent_attr="parent_id", attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.follows = follows
        self.parent_attr = parent_attr

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-follows"] = self.follows
        return context

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-parent"] = getattr(instance, self.parent_attr) or ""
        return option


class AnyBooleanSelect(forms.Select):
    """Any / Yes / No for a filter's NullBooleanField (django's own reads Unknown / Yes / No)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", ANY), ("true", _("Yes")), ("false", _("No"))])

    def format_value(self, value):
        return [{True: "true", False: "false", "true": "true", "false": "false", "True": "true",
                 "False": "false", "1": "true", "0": "false"}.get(value, "")]


def label_empty_choices_any(form, without_empty=()):
    """Every "no filter" choice of a filter form reads "Any": booleans, choice and model choice fields.
    Fields named in `without_empty` (e.g. a sort order, which always has a value) lose the empty choice."""
    for name, field in form.fields.items():
        if name in without_empty and hasattr(field, "empty_label"):
            field.empty_label = None
            field.widget.choices = field.choices
        elif isinstance(field, forms.NullBooleanField):
            field.widget = AnyBooleanSelect(attrs=field.widget.attrs)
        elif getattr(field, "empty_label", None) is not None:
            field.empty_label = ANY
            field.widget.choices = field.choices  # the widget's copy still points at the unlabelled field
    return form


def relabel_blank_choice(field, label):
    """A model choice field's "---------" reads `label` instead (e.g. "Choose…")."""
    choices = getattr(field, "choices", None)
    if choices is None or isinstance(field, forms.ModelChoiceField):
        if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
            field.empty_label = label
            field.widget.choices = field.choices
        return field
    choices = list(choices)
    if choices and choices[0][0] in ("", None):
        field.choices = [("", label)] + choices[1:]
    return field
