"""The portal's own small forms: the search box, and what every order has besides the item's form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.search import MAX_QUERY_LENGTH
from core.ticket_forms import MultipleFileField


class PortalSearchForm(forms.Form):
    """GET /portal/search/?q= : catalogue items and answers. Django's CharField refuses NUL characters."""

    q = forms.CharField(label=_("What do you need?"), max_length=MAX_QUERY_LENGTH, strip=True,
                        error_messages={"required": _("Type a few words to search for.")},
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": _("e.g. laptop, VPN, password")}))


class OrderExtrasForm(forms.Form):
    """Asked on every order page after the item's own questions."""

    title = forms.CharField(label=_("A short title (optional)"), max_length=255, required=False,
                            help_text=_("Leave it empty and the item's name is used."))
    attachments = MultipleFileField(label=_("Attachments"), required=False,
                                    help_text=_("Files that help us (at most 5)."))
