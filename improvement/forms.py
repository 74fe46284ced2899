"""The improvement forms: what the record is about (the generic ticket form), each stage's content, the
assessment, tasks, the manager's rank and the quarter budgets. Every write goes through improvement.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Organization, Team
from core.ticket_forms import DATE_WIDGET, TicketPartForm, UserChoiceField, staff_users, ticket_form_class
from core.widgets import relabel_blank_choice
from incidents.models import Category
from slm.models import Service

from .measuring import valid_quarter
from .models import ASSESSMENT, METRIC_SCOPE, SCORECARD, SWOT, Improvement, ImprovementTask, QuarterBudget
from .workflow import ACTION, BASELINE, MOMENTUM, PLAN, RESULT, TARGET, VISION

FIELDS = ("title", "description", "source", "services", "practices", "owner", "team", "assignee", "target_date",
          "benefit", "cost", "effort", "risk", "urgency_rating", "alignment")

ImprovementForm = ticket_form_class(Improvement, FIELDS)

METRIC_FIELDS = ("metric_name", "metric_timer", *METRIC_SCOPE, "baseline_days")
# What each step's form edits: the workflow's required content plus the stage's optional fields.
STAGE_FIELDS = {
    VISION: ("vision", "objective", *METRIC_FIELDS),
    BASELINE: (*SWOT, *SCORECARD, "assessment_notes"),
    TARGET: ("target_value", "target_date"),
    PLAN: ("plan", "business_case", "estimated_cost", "annual_benefit", "effort_days", "quarter"),
    ACTION: ("action_notes",),
    RESULT: ("evaluation",),
    MOMENTUM: ("follow_ups", "lessons"),
}
TEXT_ROWS = {"vision": 3, "objective": 2, "assessment_notes": 3, "plan": 4, "business_case": 3, "action_notes": 3,
             "evaluation": 3, "follow_ups": 3, "lessons": 3, **{name: 2 for name in (*SWOT, *SCORECARD)}}


class StageForm(TicketPartForm):
    """One step's content. Nothing is required to save; what moving on needs is checked by the services."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        querysets = {"metric_service": Service.objects.order_by("name"),
                     "metric_organization": Organization.objects.order_by("name"),
                     "metric_team": Team.objects.order_by("name"),
                     "metric_category": Category.objects.filter(active=True).order_by("name")}
        for name, field in self.fields.items():
            if name == "version":
                continue
            field.required = False
            if name in querysets:
                field.queryset = querysets[name]
                relabel_blank_choice(field, "—")
            elif name == "metric_name":
                relabel_blank_choice(field, _("Choose…"))
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = TEXT_ROWS.get(name, 3)
        if "target_date" in self.fields:
            self.fields["target_date"].widget = forms.DateInput(**DATE_WIDGET)
        if "quarter" in self.fields:
            self.fields["quarter"].widget.attrs["placeholder"] = "2026Q3"
        if "baseline_days" in self.fields:
            self.fields["baseline_days"].widget.attrs.update({"min": 7, "max": 731})

    def clean_baseline_days(self):
        return self.cleaned_data.get("baseline_days") or self.instance.baseline_days


def stage_form_class(stage, metric_fixed=False):
    """The form of `stage`'s content; `metric_fixed` leaves out the metric once its baseline is captured."""
    fields = [name for name in STAGE_FIELDS[stage] if not (metric_fixed and name in METRIC_FIELDS)]
    return type(f"{stage.title()}StageForm", (StageForm,), {
        "Meta": type("Meta", (), {"model": Improvement, "fields": fields}), "__module__": __name__})


RATING_CHOICES = [(value, str(value)) for value in range(1, 6)]


class AssessmentForm(TicketPartForm):
    class Meta:
        model = Improvement
        fields = ASSESSMENT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ASSESSMENT:
            field = self.fields[name]
            self.fields[name] = forms.TypedChoiceField(label=field.label, choices=RATING_CHOICES, coerce=int,
                                                       help_text=field.help_text)


class TaskForm(forms.ModelForm):
    owner = UserChoiceField(label=_("Owner"), queryset=staff_users(), required=False)

    class Meta:
        model = ImprovementTask
        fields = ("title", "owner", "due_date")
        widgets = {"due_date": forms.DateInput(**DATE_WIDGET)}


class TaskDoneForm(forms.Form):
    task = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    done = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RankForm(forms.Form):
    rank = forms.IntegerField(label=_("Rank"), min_value=1, max_value=100000, required=False,
                              help_text=_("Leave empty to put it back at its score's place."))
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BudgetForm(forms.ModelForm):
    quarter = forms.CharField(label=_("Quarter"), max_length=10, help_text=_("A year and quarter, as 2026Q3."),
                              widget=forms.TextInput(attrs={"placeholder": "2026Q3", "size": 7}))

    class Meta:
        model = QuarterBudget
        fields = ("quarter", "budget", "capacity_days", "notes")

    def clean_quarter(self):
        quarter = (self.cleaned_data.get("quarter") or "").strip().upper().replace("-Q", "Q")
        if not valid_quarter(quarter):
            raise forms.ValidationError(_("Enter a quarter as 2026Q3."))
        return quarter
