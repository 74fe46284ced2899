"""Forms of the CAB meeting pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AgendaItem, CabMeeting, ChangeAdvisoryBoard


class MeetingForm(forms.ModelForm):
    board = forms.ModelChoiceField(queryset=ChangeAdvisoryBoard.objects.order_by("name"), label=_("Board"))

    class Meta:
        model = CabMeeting
        fields = ("board", "title", "starts_at", "ends_at", "location")
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty for “<board> meeting”.")


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    held = forms.BooleanField(label=_("The meeting was held"), required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[
        (AgendaItem.Decision.APPROVED, _("Approve")), (AgendaItem.Decision.REJECTED, _("Reject")),
        (AgendaItem.Decision.DEFERRED, _("Defer"))])
    notes = forms.CharField(label=_("Notes (the reason, for a rejection)"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
