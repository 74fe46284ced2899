"""Forms of the e-mail channel's configuration pages (config_services checks and saves what they clean)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.converters import ASCII_DIGITS
from core.models import Organization
from core.widgets import (OrganizationPickerWidget, ServicePickerWidget, label_empty_choices_any,
                          relabel_blank_choice)
from servicerequests.models import CatalogItem
from slm.models import Service

from .config_services import MAILBOX_FIELDS, MAX_PORT
from .filters import HeldMessageFilter, InboundMessageFilter
from .models import Mailbox


class PortField(forms.IntegerField):
    """A TCP port in ASCII digits ('١٤٣' is not a port, although int() reads it)."""

    def to_python(self, value):
        text = "" if value is None else str(value).strip()
        if text and not ASCII_DIGITS.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(text)


FIELDSETS = (
    (_("Mailbox"), ("name", "address", "active")),
    (_("Server"), ("protocol", "host", "port", "username", "password", "folder", "processed_folder")),
    (_("New mail"), ("kind", "catalog_item", "team", "service", "organization", "create_requesters",
                     "senders_per_hour")),
)


class MailboxForm(forms.ModelForm):
    password = forms.CharField(label=_("Password"), required=False, max_length=255, strip=False,
                               widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}))
    port = PortField(label=_("Port"), required=False, min_value=1, max_value=MAX_PORT,
                     help_text=Mailbox._meta.get_field("port").help_text)
    service = forms.ModelChoiceField(label=_("Default service"), queryset=Service.objects.all(), required=False,
                                     widget=ServicePickerWidget())
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.all(),
                                          required=False, widget=OrganizationPickerWidget(),
                                          help_text=Mailbox._meta.get_field("organization").help_text)

    class Meta:
        model = Mailbox
        fields = MAILBOX_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalog_item"].queryset = CatalogItem.objects.filter(active=True).order_by("name")
        relabel_blank_choice(self.fields["catalog_item"], _("None (incidents)"))
        relabel_blank_choice(self.fields["team"], _("None"))
        self.fields["password"].help_text = (_("Leave empty to keep the stored password.")
                                             if self.instance.pk and self.instance.password else "")

    def fieldsets(self):
        """(legend, bound fields) in the order the page shows them."""
        return [(legend, [self[name] for name in names]) for legend, names in FIELDSETS]

    def values(self):
        """What config_services.save_mailbox takes."""
        return {**{name: self.cleaned_data[name] for name in MAILBOX_FIELDS}, "password": self.cleaned_data["password"]}


class DomainForm(forms.Form):
    domain = forms.CharField(label=_("Domain"), max_length=255, help_text=_("Mail from this domain, e.g. example.com."))
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.all(),
                                          widget=OrganizationPickerWidget())


def message_filter(data, queryset, held=False):
    """The list's FilterSet, with every "no filter" choice reading "Any"."""
    filterset = (HeldMessageFilter if held else InboundMessageFilter)(data, queryset=queryset)
    label_empty_choices_any(filterset.form)
    return filterset
