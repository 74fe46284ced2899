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
