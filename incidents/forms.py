from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import LinkKind, Team, Ticket
from core.widgets import (CIPickerWidget, FollowingSelect, OrganizationPickerWidget, ServicePickerWidget,
                          TicketPickerWidget, UserPickerWidget, label_empty_choices_any)

from .models import Category, Incident

STAFF_ROLES = [permissions.AGENT, permissions.MANAGER, permissions.CHANGE_AUTHORITY, permissions.ADMIN]


def staff_users():
    return get_user_model().objects.filter(groups__name__in=STAFF_ROLES, is_active=True).distinct().order_by(
        "first_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class IncidentNumberField(forms.CharField):
    """An incident given by its number (INC0001001), as agents type it."""

    def clean(self, value):
        value = super().clean(value).strip().upper()
        if not value:
            return None
        incident = Incident.objects.filter(number=value).first()
        if incident is None:
            raise ValidationError(_("No incident has the number “%(number)s”.") % {"number": value})
        return incident


class IncidentForm(forms.ModelForm):
    """The agent's create form; the edit form adds the version it was loaded at."""

    parent = IncidentNumberField(label=_("Parent incident"), required=False, max_length=20,
                                 help_text=_("The number of the major incident this one belongs to."))

    class Meta:
        model = Incident
        fields = ["title", "description", "impact", "urgency", "channel", "category", "subcategory", "service",
                  "configuration_item", "requester", "organization", "team", "assignee", "is_major",
                  "major_incident_manager", "parent", "outage_start", "outage_end"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "outage_start": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "outage_end": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "subcategory": FollowingSelect(follows="id_category"),
            "requester": UserPickerWidget(fill={"id_organization": "organization"}),
        }
        field_classes = {"requester": UserChoiceField, "assignee": UserChoiceField,
                         "major_incident_manager": UserChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_users()
        self.fields["configuration_item"].widget = CIPickerWidget()
        self.fields["major_incident_manager"].queryset = staff_users()
        self.fields["requester"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["category"].queryset = Category.objects.filter(parent=None, active=True)
        self.fields["subcategory"].queryset = Category.objects.filter(parent__isnull=False, active=True) \
            .select_related("parent")
        if self.instance.pk and self.instance.parent_id:
            self.initial["parent"] = self.instance.parent.number

    def changed_values(self):
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.Meta.fields}


class IncidentEditForm(IncidentForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)


class ReassignForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    assignee = UserChoiceField(label=_("Agent"), queryset=get_user_model().objects.none(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        team_id = self.data.get("team") or (team.pk if team else None)
        users = staff_users()
        self.fields["assignee"].queryset = users.filter(teams__pk=team_id) if str(team_id or "").isdigit() \
            else users


class TransitionForm(forms.Form):
    """The fields one transition requires or allows, plus an optional comment."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, transition, open_children=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        for name in (*transition.required, *transition.optional):
            field = Incident._meta.get_field(name).formfield(required=name in transition.required)
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
            self.fields[name] = field
        self.fields["comment"] = forms.CharField(label=_("Comment (visible to the requester)"), required=False,
                                                 widget=forms.Textarea(attrs={"rows": 2}))
        if open_children:
            self.fields["resolve_children"] = forms.BooleanField(
                label=_("Also resolve %(count)d open child incidents") % {"count": open_children},
                required=False, initial=True)

    def transition_data(self):
        names = (*self.transition.required, *self.transition.optional)
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("Work note (internal, not shown to the requester)"), required=False)

    def __init__(self, *args, staff=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["internal"]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    internal = forms.BooleanField(label=_("Internal (agents only)"), required=False)

    def __init__(self, *args, staff=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["internal"]


class LinkForm(forms.Form):
    number = forms.CharField(label=_("Record number"), max_length=20,
                             widget=forms.TextInput(attrs={"placeholder": "INC0001001"}))
    kind = forms.ChoiceField(label=_("Link type"), choices=LinkKind.choices)

    def clean_number(self):
        number = self.cleaned_data["number"].strip().upper()
        target = Ticket.objects.filter(number=number).first()
        if target is None:
            raise ValidationError(_("No record has the number “%(number)s”.") % {"number": number})
        self.target = target
        return number


# --- the queue's filter form (the shared IncidentFilter's form, with agent-friendly widgets) ------

ROW_FIELDS = ("number", "kind", "title", "state", "priority", "created_at", "updated_at", "sla_due_at", "team__name",
              "assignee__username", "assignee__first_name", "assignee__last_name", "service__name")
MAIN_FILTERS = ("q", "state", "priority", "team", "assignee", "service", "ordering")


def _assignee_choices():
    agents = [(str(u.pk), u.get_full_name() or u.username) for u in staff_users().only(
        "username", "first_name", "last_name")]
    return [("", _("Any")), ("me", _("Me")), ("none", _("Unassigned"))] + agents


def prepare_filter_form(form):
    fields = form.fields
    fields["q"].widget.attrs.update({"placeholder": _("Number, title or description"), "type": "search",
                                     "data-hotkey-focus": "/"})
    fields["state"].widget = forms.CheckboxSelectMultiple(choices=fields["state"].choices)
    fields["priority"].widget = forms.CheckboxSelectMultiple(choices=fields["priority"].choices)
    fields["team"].widget.attrs["size"] = 3
    fields["assignee"].widget = forms.Select(choices=_assignee_choices)
    fields["assignee"].help_text = ""
    fields["service"].widget = ServicePickerWidget()
    fields["configuration_item"].widget = CIPickerWidget(service_target=None)
    fields["requester"].widget = UserPickerWidget()
    fields["organization"].widget = OrganizationPickerWidget()
    fields["parent"].widget = TicketPickerWidget()
    label_empty_choices_any(form, without_empty=("ordering",))
    for name in ("created_after", "created_before"):
        fields[name].widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
    form.main_fields = [form[name] for name in MAIN_FILTERS if name in fields]
    form.more_fields = [form[name] for name in fields if name not in MAIN_FILTERS]
    form.more_active = any(form.data.get(field.name) for field in form.more_fields)
    return form
