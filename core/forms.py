import zoneinfo
from datetime import datetime, time

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .search import MAX_QUERY_LENGTH


def timezone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.Form):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)
    language = forms.ChoiceField(label=_("Language"),
                                 choices=[("", _("Browser default"))] + list(settings.LANGUAGES), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    expires_on = forms.DateField(label=_("Expires on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("Leave empty for a token that does not expire."))

    def clean_expires_on(self):
        value = self.cleaned_data.get("expires_on")
        if value and value <= timezone.localdate():
            raise ValidationError(_("The expiry date must be in the future."))
        return value

    def expires_at(self):
        value = self.cleaned_data.get("expires_on")
        if not value:
            return None
        return timezone.make_aware(datetime.combine(value, time.min))


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    query = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)


class ReportProblemForm(forms.Form):
    """The requester portal's short form; the incidents app turns it into an incident."""

    title = forms.CharField(label=_("What is the problem?"), max_length=255)
    description = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class SearchForm(forms.Form):
    """The header search box (GET /search/?q=). Django's CharField refuses NUL characters."""

    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY_LENGTH, strip=True,
                        error_messages={"required": _("Type a ticket number or some words to search for.")})


class NotificationPreferencesForm(forms.Form):
    """One check box per event and channel, named `<event>__<channel>`."""

    def __init__(self, *args, table=None, **kwargs):
        from .models import NotificationChannel, NotificationEvent

        super().__init__(*args, **kwargs)
        self.rows = []
        for event, label in NotificationEvent.choices:
            names = []
            for channel, channel_label in NotificationChannel.choices:
                name = f"{event}__{channel}"
                self.fields[name] = forms.BooleanField(
                    label=channel_label, required=False, initial=(table or {}).get(event, {}).get(channel, True),
                    widget=forms.CheckboxInput(attrs={"aria-label": f"{label}: {channel_label}"}))
                names.append(name)
            self.rows.append((label, [self[name] for name in names]))

    def choices(self):
        table = {}
        for name, value in self.cleaned_data.items():
            event, channel = name.split("__")
            table.setdefault(event, {})[channel] = value
        return table


class SavedViewForm(forms.Form):
    """A saved view of a ticket list: name, the list's query string, optionally shared with one of my teams."""

    kind = forms.CharField(max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    query = forms.CharField(max_length=2000, required=False)
    team = forms.ModelChoiceField(label=_("Share with team"), queryset=None, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Team

        self.fields["team"].queryset = Team.objects.filter(members=user) if user else Team.objects.none()

    def clean_kind(self):
        from . import hooks

        kind = self.cleaned_data["kind"]
        if kind not in hooks.ticket_kinds and kind != "ticket":
            raise ValidationError(_("Unknown list."))
        return kind

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Give the view a name."))
        return name


class ApprovalDelegationForm(forms.Form):
    """Who approves for me while I am away (core.approvals.create_delegation checks the rest)."""

    delegate = forms.ModelChoiceField(label=_("Delegate"), queryset=None,
                                      error_messages={"invalid_choice": _("Choose an active user.")})
    starts_on = forms.DateField(label=_("First day away"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Last day away"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        from . import approvals, permissions
        from .widgets import DelegatePickerWidget, UserPickerWidget

        super().__init__(*args, **kwargs)
        users = approvals.delegate_choices(user).exclude(pk=user.pk)
        self.fields["delegate"].queryset = users
        # staff pick anyone; a requester only among their own organization (the scoped search)
        self.fields["delegate"].widget = UserPickerWidget() if permissions.is_agent(user) else \
            DelegatePickerWidget(users=users)
