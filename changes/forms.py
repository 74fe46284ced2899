"""What the change forms add to the generic ticket forms: the change's CIs (by name), services, window and
plans. A standard change is raised from its template (changes.template_views), not from this form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cmdb.models import ConfigurationItem
from core.models import Team
from core.ticket_forms import KeyListField, TicketForm, UserChoiceField, staff_users, ticket_form_class

from .models import Change, ChangeTask, ChangeType

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


class ChangeTaskForm(forms.ModelForm):
    """An implementation task: a title, the team doing it and, optionally, one of its members."""

    assignee = UserChoiceField(label=_("Assignee"), queryset=staff_users(), required=False)

    class Meta:
        model = ChangeTask
        fields = ("title", "team", "assignee")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["team"].required = True


class TaskDoneForm(forms.Form):
    task = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    state = forms.ChoiceField(choices=[(ChangeTask.State.DONE, _("Done")), (ChangeTask.State.SKIPPED, _("Skip"))])
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000)


class ReviewForm(forms.Form):
    """The post-implementation review of a change in review (changes.services.update_change)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    review_notes = forms.CharField(label=_("Post-implementation review"), max_length=20000,
                                   widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text=_("What went well, what did not, and what to change next time."))
