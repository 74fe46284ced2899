"""What the problem forms add to the generic ticket forms: linked incidents, the analysis and investigation tasks."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cmdb.models import ConfigurationItem
from core.models import Team
from core.ticket_forms import DATETIME_WIDGET, TicketForm, UserChoiceField, staff_users, ticket_form_class
from incidents.models import Category, Incident

from .models import FIVE_WHYS, ISHIKAWA, InvestigationTask, Problem

FIELDS = ("title", "description", "origin", "impact", "urgency", "category", "service", "configuration_item",
          "affected_services", "team", "assignee", "known_error", "review_date", "root_cause", "workaround")
ANALYSIS_FIELDS = ("technique", *FIVE_WHYS, *ISHIKAWA, "root_cause", "workaround", "known_error", "review_date")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IncidentNumbersField(forms.CharField):
    """Incident numbers as agents type them: "INC0001001, INC0001002"."""

    def clean(self, value):
        value = super().clean(value) or ""
        numbers = sorted({n.strip().upper() for n in value.replace(";", ",").replace(" ", ",").split(",") if n.strip()})
        incidents = list(Incident.objects.filter(number__in=numbers))
        missing = sorted(set(numbers) - {incident.number for incident in incidents})
        if missing:
            raise ValidationError(_("No incident has the number %(numbers)s.") % {"numbers": ", ".join(missing)})
        return incidents


class CINamesField(forms.CharField):
    """Configuration item names, separated by commas: "mail-exch-01, mail-relay-02"."""

    def clean(self, value):
        value = super().clean(value) or ""
        names = sorted({name.strip() for name in value.split(",") if name.strip()})
        cis = list(ConfigurationItem.objects.filter(name__in=names))
        missing = sorted(set(names) - {ci.name for ci in cis})
        if missing:
            raise ValidationError(_("No configuration item is named %(names)s.") % {"names": ", ".join(missing)})
        return cis


def check_known_error(form, data):
    if data.get("known_error") and not (data.get("root_cause") or "").strip() \
            and not (data.get("workaround") or "").strip():
        form.add_error("known_error", _("A known error needs a documented root cause or workaround."))


class ProblemFormBase(TicketForm):
    affected_cis = CINamesField(label=_("Other affected configuration items"), required=False, help_text=_(
        "Names, separated by commas."))
    incident_numbers = IncidentNumbersField(label=_("Linked incidents"), required=False, help_text=_(
        "Incident numbers, separated by commas."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(parent=None, active=True)
        self.fields["review_date"].widget = DATE_WIDGET
        self.fields["description"].label = _("Problem statement")
        self.fields["affected_services"].widget.attrs["size"] = 4
        if self.instance.pk:
            self.initial["affected_cis"] = ", ".join(self.instance.affected_cis.values_list("name", flat=True))
        if self.instance.pk:
            del self.fields["incident_numbers"]  # linked and unlinked on the problem page

    def clean(self):
        data = super().clean()
        check_known_error(self, data)
        return data

    def changed_values(self):
        values = super().changed_values()
        if "affected_cis" in self.changed_data:
            values["affected_cis"] = self.cleaned_data["affected_cis"]
        return values


ProblemForm = ticket_form_class(Problem, FIELDS, base=ProblemFormBase)


class AnalysisForm(forms.ModelForm):
    """Problem control on the problem page: the technique's fields, root cause, workaround, known error."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Problem
        fields = ANALYSIS_FIELDS
        widgets = {**{name: forms.Textarea(attrs={"rows": 2}) for name in (*FIVE_WHYS, *ISHIKAWA)},
                   "root_cause": forms.Textarea(attrs={"rows": 3}), "workaround": forms.Textarea(attrs={"rows": 3}),
                   "review_date": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)

    def clean(self):
        data = super().clean()
        check_known_error(self, data)
        return data

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.changed_data if name in ANALYSIS_FIELDS}


class TaskForm(forms.ModelForm):
    assignee = UserChoiceField(label=_("Assignee"), queryset=staff_users(), required=False)

    class Meta:
        model = InvestigationTask
        fields = ("title", "team", "assignee", "due_date")
        widgets = {"due_date": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["assignee"].queryset = staff_users()


class TaskDoneForm(forms.Form):
    task = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LinkIncidentForm(forms.Form):
    number = IncidentNumbersField(label=_("Incident numbers"), max_length=400)


__all__ = ["ANALYSIS_FIELDS", "AnalysisForm", "DATETIME_WIDGET", "LinkIncidentForm", "ProblemForm", "TaskDoneForm",
           "TaskForm"]
