"""Forms of the report pages, the satisfaction survey and service reviews (validation only; writes are services)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import Organization, Team

from . import reports
from .models import Service, ServiceReview, ServiceReviewAction

GROUP_BY_LABELS = {"service": _("Service"), "agreement": _("Agreement"), "target": _("Service level target"),
                   "priority": _("Priority"), "team": _("Team"), "organization": _("Organization")}


class ReportForm(forms.Form):
    period = forms.CharField(label=_("Period"), required=False, max_length=10,
                             help_text=_("A month (2026-10) or a quarter (2026Q3)."))
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (included)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(label=_("Group by"), choices=list(GROUP_BY_LABELS.items()), required=False)
    value = forms.CharField(label=_("Only group"), required=False, max_length=20, widget=forms.HiddenInput)
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.order_by("name"), required=False,
                                     empty_label=_("All services"))
    organization = forms.ModelChoiceField(label=_("Customer"), queryset=Organization.objects.order_by("name"),
                                          required=False, empty_label=_("All customers"))
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("name"), required=False,
                                  empty_label=_("All teams"))
    category = forms.ModelChoiceField(label=_("Incident category"), queryset=None, required=False,
                                      empty_label=_("All tickets"))
    timer_metric = forms.ChoiceField(label=_("SLA timers"), required=False, choices=[
        ("", _("Response and resolution")), ("response", _("Response")), ("resolution", _("Resolution"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from incidents.models import Category

        self.fields["category"].queryset = Category.objects.select_related("parent").order_by(
            Coalesce("parent__name", "name"), F("parent").asc(nulls_first=True), "name")

    def scope(self):
        """The report functions' scope filters (ids) from the cleaned data."""
        data = self.cleaned_data
        return {name: data[name].pk if data.get(name) else None
                for name in ("service", "organization", "team", "category")}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start, end = data.get("start"), data.get("end")
        try:
            data["period_obj"] = reports.parse_period(data.get("period"), start and start.isoformat(),
                                                      end and end.isoformat())
            data["group_by"] = data.get("group_by") or "service"
            data["key"] = reports.parse_key(data["group_by"], data.get("value"))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


class ServiceReportForm(forms.Form):
    period = forms.CharField(label=_("Month or quarter"), required=False, max_length=10,
                             help_text=_("A month (2026-10) or a quarter (2026Q3)."))
    organization = forms.ModelChoiceField(label=_("Customer"), queryset=Organization.objects.all(), required=False,
                                          empty_label=_("All customers"))

    def clean(self):
        data = super().clean()
        try:
            data["period_obj"] = reports.parse_period(data.get("period"))
        except ValidationError as exc:
            self.add_error("period", exc.message_dict["period"])
        return data


class SurveyAnswerForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("How satisfied are you with how your ticket was handled?"),
                                    choices=[(i, str(i)) for i in range(1, 6)], coerce=int,
                                    widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4}))


class ServiceReviewForm(forms.ModelForm):
    class Meta:
        model = ServiceReview
        fields = ("service", "organization", "date", "period", "participants", "findings", "decisions")
        widgets = {"date": forms.DateInput(attrs={"type": "date"}),
                   "participants": forms.Textarea(attrs={"rows": 2}),
                   "findings": forms.Textarea(attrs={"rows": 4}),
                   "decisions": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.order_by("name")

    def clean_period(self):
        period = (self.cleaned_data.get("period") or "").strip().upper()
        if period:
            try:
                reports.parse_period(period)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["period"])
        return period


def staff_users():
    User = get_user_model()
    return User.objects.filter(groups__name__in=[permissions.AGENT, permissions.MANAGER, permissions.ADMIN],
                               is_active=True).distinct().order_by("username")


class ReviewActionForm(forms.ModelForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = ServiceReviewAction
        fields = ("description", "owner", "due_date", "status")
        widgets = {"description": forms.TextInput(), "due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()


ReviewActionFormSet = forms.formset_factory(ReviewActionForm, extra=2, can_delete=True)
