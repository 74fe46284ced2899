"""What the problem forms add to the generic ticket forms: linked incidents, other affected CIs, the analysis
and investigation tasks. The known-error rule is the model's (Problem.clean), so every form and the API share it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cmdb.models import ConfigurationItem
from core.models import Team
from core.ticket_forms import (DATE_WIDGET, KeyListField, TicketForm, TicketPartForm, UserChoiceField, staff_users,
                               ticket_form_class)
from incidents.models import Category, Incident

from .models import FIVE_WHYS, ISHIKAWA, InvestigationTask, Problem

FIELDS = ("title", "description", "origin", "impact", "urgency", "category", "service", "configuration_item",
          "affected_services", "team", "assignee", "known_error", "review_date", "root_cause", "workaround")
ANALYSIS_FIELDS = ("technique", *FIVE_WHYS, *ISHIKAWA, "root_cause", "workaround", "known_error", "review_date")


def incident_numbers_field(**kwargs):
    return KeyListField(queryset=Incident.objects.all(), key="number", upper=True, separators=r"[,;\s]+",
                        missing=_("No incident has the number %(keys)s."), **kwargs)


class ProblemFormBase(TicketForm):
    affected_cis = KeyListField(
        queryset=ConfigurationItem.objects.all(), key="name", label=_("Other affected configuration items"),
        required=False, help_text=_("Names, separated by commas."),
        missing=_("No configuration item is named %(keys)s."))
    incident_numbers = incident_numbers_field(label=_("Linked incidents"), required=False,
                                              help_text=_("Incident numbers, separated by commas."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(parent=None, active=True)
        self.fields["description"].label = _("Problem statement")
        self.fields["affected_services"].widget.attrs["size"] = 4
        if self.instance.pk:
            del self.fields["incident_numbers"]  # linked and unlinked on the problem page
            self.initial["affected_cis"] = ", ".join(self.instance.affected_cis.values_list("name", flat=True))

    def changed_values(self):
        values = super().changed_values()
        if "affected_cis" in self.changed_data:
            values["affected_cis"] = self.cleaned_data["affected_cis"]
        return values


ProblemForm = ticket_form_class(Problem, FIELDS, base=ProblemFormBase)


class AnalysisForm(TicketPartForm):
    """Problem control on the problem page: the technique's fields, root cause, workaround, known error."""

    class Meta:
        model = Problem
        fields = ANALYSIS_FIELDS
        widgets = {**{name: forms.Textarea(attrs={"rows": 2}) for name in (*FIVE_WHYS, *ISHIKAWA)},
                   "root_cause": forms.Textarea(attrs={"rows": 3}), "workaround": forms.Textarea(attrs={"rows": 3}),
                   "review_date": forms.DateInput(**DATE_WIDGET)}


class TaskForm(forms.ModelForm):
    assignee = UserChoiceField(label=_("Assignee"), queryset=staff_users(), required=False)

    class Meta:
        model = InvestigationTask
        fields = ("title", "team", "assignee", "due_date")
        widgets = {"due_date": forms.DateInput(**DATE_WIDGET)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")


class TaskDoneForm(forms.Form):
    task = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LinkIncidentForm(forms.Form):
    number = incident_numbers_field(label=_("Incident numbers"))
