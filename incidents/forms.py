"""What the incident forms add to the generic ticket forms: the parent incident and resolving children."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.ticket_forms import TicketForm, TicketNumberField, TransitionForm, staff_users, ticket_form_class
from core.widgets import FollowingSelect

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
