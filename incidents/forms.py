"""What the incident forms add to the generic ticket forms (the parent incident, resolving children), and the
requester portal's "report a problem"."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Impact, Urgency
from core.ticket_forms import (MultipleFileField, TicketForm, TicketNumberField, TransitionForm, staff_users,
                               ticket_form_class)
from core.widgets import FollowingSelect
from slm.models import Service
from slm.queries import catalogue_for

from .models import Category, Incident

FIELDS = ("title", "description", "impact", "urgency", "channel", "category", "subcategory", "service",
          "configuration_item", "requester", "organization", "team", "assignee", "is_major",
          "major_incident_manager", "parent", "outage_start", "outage_end")


class IncidentFormBase(TicketForm):
    parent = TicketNumberField(model=Incident, label=_("Parent incident"), required=False, max_length=20,
                               help_text=_("The number of the major incident this one belongs to."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["major_incident_manager"].queryset = staff_users()
        self.fields["category"].queryset = Category.objects.filter(parent=None, active=True)
        self.fields["subcategory"].queryset = Category.objects.filter(parent__isnull=False, active=True) \
            .select_related("parent")
        self.fields["subcategory"].widget = FollowingSelect(follows="id_category",
                                                            choices=self.fields["subcategory"].choices)
        if self.instance.pk and self.instance.parent_id:
            self.initial["parent"] = self.instance.parent.number


IncidentForm = ticket_form_class(Incident, FIELDS, base=IncidentFormBase)


class IncidentTransitionForm(TransitionForm):
    """Resolving a parent can resolve its open children too."""

    def __init__(self, *args, open_children=0, **kwargs):
        super().__init__(*args, **kwargs)
        if open_children:
            self.fields["resolve_children"] = forms.BooleanField(
                label=_("Also resolve %(count)d open child incidents") % {"count": open_children},
                required=False, initial=True)

    def service_kwargs(self):
        return {"resolve_children": self.cleaned_data.get("resolve_children", False)}


# --- the requester portal's "report a problem" ------------------------------------------------------

# How badly is your work affected? Plain words a requester can answer, mapped to the ticket's urgency.
URGENCY_CHOICES = [
    (Urgency.HIGH, _("I cannot work at all")),
    (Urgency.MEDIUM, _("Part of my work is blocked")),
    (Urgency.LOW, _("It is a nuisance; I can work around it")),
]


def portal_impact(service):
    """A requester states urgency, not impact: impact stays the default (low) unless the service they name is
    a critical one, where one person's trouble may be many people's (then medium). With the default matrix a
    report lands at P5 (nuisance), P4 (blocked) or P3 (cannot work), one step higher on a critical service."""
    if service is not None and service.criticality == Service.Criticality.CRITICAL:
        return Impact.MEDIUM
    return Impact.LOW


class ReportProblemForm(forms.Form):
    """The requester portal's "report a problem": what, how badly, which service and category, files. Only
    services offered to the requester's organization are listed (slm.queries.catalogue_for)."""

    title = forms.CharField(label=_("What is the problem?"), max_length=255)
    description = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  max_length=20000)
    urgency = forms.TypedChoiceField(label=_("How badly is your work affected?"), choices=URGENCY_CHOICES,
                                     coerce=int, initial=Urgency.LOW, required=False, widget=forms.RadioSelect,
                                     empty_value=Urgency.LOW)
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none(), required=False,
                                     empty_label=_("I don't know"))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False,
                                      empty_label=_("I don't know"))
    attachments = MultipleFileField(label=_("Attachments"), required=False,
                                    help_text=_("Screenshots or files that show the problem (at most 5)."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        services = catalogue_for(user).select_related(None) if user else Service.objects.none()
        self.fields["service"].queryset = services.filter(status=Service.Status.LIVE).only("id", "name", "criticality")
        self.fields["category"].queryset = Category.objects.filter(parent=None, active=True).only("id", "name")

    def incident_data(self):
        data = self.cleaned_data
        return {"title": data["title"], "description": data["description"], "urgency": data["urgency"],
                "impact": portal_impact(data["service"]), "service": data["service"], "category": data["category"]}
