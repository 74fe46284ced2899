"""What the change forms add to the generic ticket forms: the change's CIs (by name), services, window and
plans. A standard change is raised from its template (changes.template_views), not from this form."""

from django.utils.translation import gettext_lazy as _

from cmdb.models import ConfigurationItem
from core.ticket_forms import KeyListField, TicketForm, ticket_form_class

from .models import Change, ChangeType

FIELDS = ("title", "change_type", "description", "reason", "impact", "urgency", "service", "services", "team",
          "assignee", "planned_start", "planned_end", "implementation_plan", "backout_plan", "test_plan")


class ChangeFormBase(TicketForm):
    configuration_items = KeyListField(
        queryset=ConfigurationItem.objects.all(), key="name", label=_("Configuration items"), required=False,
        help_text=_("Names, separated by commas."), missing=_("No configuration item is named %(keys)s."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "change_type" in self.fields:
            self.fields["change_type"].choices = [(value, label) for value, label in ChangeType.choices
                                                  if value != ChangeType.STANDARD]
        if "services" in self.fields:
            self.fields["services"].widget.attrs["size"] = 4
            self.fields["services"].label = _("Other services")
        if self.instance.pk:
            self.fields.pop("change_type", None)  # fixed once raised
            self.initial["configuration_items"] = ", ".join(
                self.instance.configuration_items.order_by("name").values_list("name", flat=True))

    def changed_values(self):
        values = super().changed_values()
        for name in ("configuration_items", "services"):
            if name in self.changed_data:
                values[name] = self.cleaned_data[name]
        return values


ChangeForm = ticket_form_class(Change, FIELDS, base=ChangeFormBase)
