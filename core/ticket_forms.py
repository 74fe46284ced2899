"""The forms of the generic ticket pages: a create/edit form factory and the inline action forms."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import hooks, permissions
from .services import validate_upload
from .converters import parse_id
from .models import LinkKind, Team, Ticket
from .widgets import (CIPickerWidget, OrganizationPickerWidget, ServicePickerWidget, TicketPickerWidget,
                      UserPickerWidget, label_empty_choices_any, relabel_blank_choice)

DATETIME_WIDGET = {"attrs": {"type": "datetime-local"}, "format": "%Y-%m-%dT%H:%M"}
DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


def staff_users():
    return get_user_model().objects.filter(groups__name__in=permissions.STAFF_ROLES, is_active=True).distinct() \
        .order_by("first_name", "username")


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """A picker's options from one plain query: Django's own iterator counts the rows first and then reads them
    through a server-side cursor, two extra round trips for a short list."""

    def rows(self):
        if not hasattr(self, "_rows"):
            self._rows = list(self.queryset)
        return self._rows

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.rows():
            yield self.choice(obj)

    def __len__(self):
        return len(self.rows()) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.rows())


class ListedChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class UserChoiceField(ListedChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class TicketNumberField(forms.CharField):
    """A ticket of `model` given by its number (INC0001001), as agents type it."""

    def __init__(self, *args, model=Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model

    def clean(self, value):
        value = super().clean(value).strip().upper()
        if not value:
            return None
        ticket = self.model.objects.filter(number=value).first()
        if ticket is None:
            label = hooks.kind_of(self.model).label if hasattr(self.model, "TICKET_KIND") else _("record")
            raise ValidationError(_("No %(kind)s has the number “%(number)s”.") % {"kind": label, "number": value})
        return ticket


class KeyListField(forms.CharField):
    """Records typed by a key, separated by commas ("INC0001001, INC0001002"; CI names): cleans to the list of
    rows, or names the keys that match nothing."""

    def __init__(self, *args, queryset, key, upper=False, separators=r"[,;]", missing="", **kwargs):
        kwargs.setdefault("max_length", 2000)
        super().__init__(*args, **kwargs)
        self.queryset, self.key, self.upper, self.separators, self.missing = queryset, key, upper, separators, missing

    def clean(self, value):
        value = super().clean(value) or ""
        value = value.upper() if self.upper else value
        keys = sorted({part.strip() for part in re.split(self.separators, value) if part.strip()})[:200]
        rows = list(self.queryset.filter(**{f"{self.key}__in": keys})) if keys else []
        unknown = sorted(set(keys) - {getattr(row, self.key) for row in rows})
        if unknown:
            raise ValidationError(self.missing % {"keys": ", ".join(unknown)})
        return rows


# --- create and edit ---------------------------------------------------------------------------

def ticket_formfield(db_field, **kwargs):
    """People are shown by name."""
    if db_field.is_relation and db_field.related_model is get_user_model():
        kwargs["form_class"] = UserChoiceField
    return db_field.formfield(**kwargs)


class TicketForm(forms.ModelForm):
    """The agent's create form for any kind; people fields list staff, the CI is a search box."""

    class Meta:
        formfield_callback = ticket_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, UserChoiceField):
                field.queryset = get_user_model().objects.filter(is_active=True).order_by("username") \
                    if name == "requester" else staff_users()
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 5
            if isinstance(field, forms.DateTimeField):
                field.widget = forms.DateTimeInput(**DATETIME_WIDGET)
            elif isinstance(field, forms.DateField):
                field.widget = forms.DateInput(**DATE_WIDGET)
        if "configuration_item" in self.fields:
            self.fields["configuration_item"].widget = CIPickerWidget()
        if "requester" in self.fields:  # the organization follows the requester
            fill = {"id_organization": "organization"} if "organization" in self.fields else None
            self.fields["requester"].widget = UserPickerWidget(fill=fill)

    def changed_values(self):
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.Meta.fields}


class VersionedFormMixin(forms.Form):
    """The edit form carries the version it was loaded at (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)


class TicketPartForm(forms.ModelForm):
    """A form over part of a ticket, on its page (a problem's analysis, an improvement's step), carrying the
    version it was loaded at. changes() are the edited fields; after a conflict, at_version() keeps the user's
    input but carries the current version, so saving again applies it (TicketActionView.run_versioned_form)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self._meta.fields}

    def at_version(self, version):
        data = self.data.copy()
        data[self.add_prefix("version")] = version
        self.data = data
        return self


def ticket_form_class(model, fields, base=TicketForm, **meta):
    """A create form for `model` with `fields` (in order); `meta` adds Meta options (widgets, labels...)."""
    attrs = {"model": model, "fields": list(fields), **meta}
    parent_meta = getattr(base, "Meta", object)
    return type(f"{model.__name__}Form", (base,), {"Meta": type("Meta", (parent_meta,), attrs),
                                                   "__module__": base.__module__})


def edit_form_class(create_form):
    """The create form plus the hidden version."""
    return type(f"{create_form.__name__}Edit", (VersionedFormMixin, create_form), {"__module__": create_form.__module__})


# --- inline actions ----------------------------------------------------------------------------

class ReassignForm(forms.Form):
    team = ListedChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    assignee = UserChoiceField(label=_("Agent"), queryset=get_user_model().objects.none(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        team_id = self.data.get("team") or (team.pk if team else None)
        users = staff_users()
        team_id = parse_id(team_id)
        self.fields["assignee"].queryset = users.filter(teams__pk=team_id) if team_id else users


class TransitionForm(forms.Form):
    """The fields one transition requires or allows (from the workflow), plus an optional public comment."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, transition, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        for name in (*transition.required, *transition.optional):
            field = relabel_blank_choice(model._meta.get_field(name).formfield(required=name in transition.required),
                                         _("Choose…"))
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
            self.fields[name] = field
        self.fields["comment"] = forms.CharField(label=_("Comment (visible to the requester)"), required=False,
                                                 widget=forms.Textarea(attrs={"rows": 2}))

    def transition_data(self):
        names = (*self.transition.required, *self.transition.optional)
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}

    def service_kwargs(self):
        """Further keyword arguments for the kind's transition service (a kind's subclass adds its own)."""
        return {}


class ReplyForm(forms.Form):
    """A reply the requester sees."""

    body = forms.CharField(label=_("Reply to the requester"), widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(forms.Form):
    """An internal work note: service desk staff only, never shown to the requester."""

    body = forms.CharField(label=_("Internal note (agents only)"), widget=forms.Textarea(attrs={"rows": 4}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    internal = forms.BooleanField(label=_("Internal (agents only)"), required=False)

    def __init__(self, *args, staff=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["internal"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (`<input type=file multiple>`), each checked as an attachment is
    (core.services.validate_upload: size, sniffed type); the cleaned value is a list, empty when optional."""

    default_error_messages = {"too_many": _("Attach at most %(max)d files.")}

    def __init__(self, *args, max_files=5, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data if isinstance(data, (list, tuple)) else [data]) if upload]
        if not uploads:
            return super().clean(None, initial) or []
        if len(uploads) > self.max_files:
            raise ValidationError(self.error_messages["too_many"] % {"max": self.max_files}, code="too_many")
        errors = []
        for upload in uploads:
            super().clean(upload, initial)
            try:
                validate_upload(upload)
            except ValidationError as exc:
                messages = exc.message_dict.get("file", exc.messages) if hasattr(exc, "error_dict") else exc.messages
                errors += [f"{upload.name}: {message}" for message in messages]
        if errors:
            raise ValidationError(errors)
        return uploads


class LinkForm(forms.Form):
    number = forms.CharField(label=_("Record number"), max_length=20)
    kind = forms.ChoiceField(label=_("Link type"), choices=LinkKind.choices)

    def __init__(self, *args, placeholder="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.attrs["placeholder"] = placeholder

    def clean_number(self):
        number = self.cleaned_data["number"].strip().upper()
        target = Ticket.objects.filter(number=number).first()
        if target is None:
            raise ValidationError(_("No record has the number “%(number)s”.") % {"number": number})
        self.target = target
        return number


# --- the queue's filter form (the kind's FilterSet form, with agent-friendly widgets) --------------

MAIN_FILTERS = ("q", "open", "state", "priority", "team", "assignee", "service", "ordering")


def staff_choices():
    """(id, name) of every service desk user, in one query."""
    return [(str(u.pk), u.get_full_name() or u.username) for u in staff_users().only(
        "username", "first_name", "last_name")]


def user_filter_choices(none_label, people):
    """The choices of a person filter (core.filters.TicketFilterSet.filter_user): any, me, nobody, `people`."""
    return [("", _("Any")), ("me", _("Me")), ("none", none_label)] + people


def _assignee_choices():
    return user_filter_choices(_("Unassigned"), staff_choices())


def prepare_filter_form(form, main=MAIN_FILTERS, kind=None):
    """Widgets for the HTML queue; sets form.main_fields, form.more_fields and form.more_active."""
    from .filters import OPEN_ALL

    fields = form.fields
    fields["q"].widget.attrs.update({"placeholder": _("Number, title or description"), "type": "search",
                                     "data-hotkey-focus": "/"})
    label_empty_choices_any(form, without_empty=("ordering",))
    # No empty choice: without a state or open filter the queue shows open work.
    fields["open"].widget = forms.Select(choices=[("true", _("Open")), ("false", _("Closed")), (OPEN_ALL, _("All"))])
    fields["state"].widget = forms.CheckboxSelectMultiple(choices=fields["state"].choices)
    fields["priority"].widget = forms.CheckboxSelectMultiple(choices=fields["priority"].choices)
    fields["team"].widget.attrs["size"] = 3
    fields["assignee"].widget = forms.Select(choices=_assignee_choices)
    fields["assignee"].help_text = ""
    pickers = {"service": ServicePickerWidget, "configuration_item": lambda: CIPickerWidget(service_target=None),
               "requester": UserPickerWidget, "organization": OrganizationPickerWidget,
               "parent": lambda: TicketPickerWidget(url_name=f"{kind.api_basename}-list")}
    for name, widget in pickers.items():
        if name in fields and (name != "parent" or kind is not None):
            fields[name].widget = widget()
    for name in ("created_after", "created_before"):
        fields[name].widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
    form.main_fields = [form[name] for name in main if name in fields]
    form.more_fields = [form[name] for name in fields if name not in main]
    form.more_active = any(form.data.get(field.name) for field in form.more_fields)
    return form
