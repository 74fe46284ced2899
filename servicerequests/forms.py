"""What the request and task forms add to the generic ticket forms, and the agents' "new request" form."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.ticket_forms import TicketForm, TicketNumberField, UserChoiceField, ticket_form_class
from core.widgets import UserPickerWidget

from .models import ServiceRequest, Task

# The edit form (agents create requests from a catalogue item: RequestHeaderForm with the item's own form).
REQUEST_FIELDS = ("title", "description", "impact", "urgency", "configuration_item", "requester", "organization",
                  "team", "assignee")
TASK_FIELDS = ("title", "description", "impact", "urgency", "team", "assignee")

RequestForm = ticket_form_class(ServiceRequest, REQUEST_FIELDS)


class TaskFormBase(TicketForm):
    request_number = TicketNumberField(model=ServiceRequest, label=_("Service request"), max_length=20,
                                       help_text=_("The number of the request this task fulfils (REQ…)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].label = _("Instructions")
        if self.instance.pk:
            del self.fields["request_number"]  # a task stays with its request


TaskForm = ticket_form_class(Task, TASK_FIELDS, base=TaskFormBase)


class ItemChoiceForm(forms.Form):
    """Step one of an agent's new request: which catalogue item."""

    item = forms.ModelChoiceField(label=_("Catalogue item"), queryset=None, empty_label=_("Choose…"))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: f"{item.category.name} · {item.name}"


class RequestHeaderForm(forms.Form):
    """Step two, above the item's own form: for whom, and an optional title (the item's name by default)."""

    prefix = "request"
    requester = UserChoiceField(label=_("Requester"), queryset=get_user_model().objects.filter(is_active=True),
                                widget=UserPickerWidget())
    title = forms.CharField(label=_("Title"), max_length=255, required=False,
                            help_text=_("Leave empty to use the item's name."))
